package app.ringback

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent

/** The service's ongoing notification and its channel. */
internal object Notifications {
    const val ID_SERVICE = 1
    private const val CHANNEL_SERVICE = "service"

    fun createChannels(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java) ?: return
        val channel = NotificationChannel(
            CHANNEL_SERVICE,
            context.getString(R.string.channel_service),
            NotificationManager.IMPORTANCE_LOW,
        )
        channel.description = context.getString(R.string.channel_service_description)
        manager.createNotificationChannel(channel)
    }

    /**
     * The ongoing notification: what Ringback does, or, when the phone has problems (a
     * permission revoked, the battery saver, no service…), the first of them with its fix
     * and how many more there are.
     */
    fun service(context: Context, problems: List<String> = emptyList()): Notification {
        val open = PendingIntent.getActivity(
            context,
            0,
            Intent(context, MainActivity::class.java),
            PendingIntent.FLAG_IMMUTABLE,
        )
        return Notification.Builder(context, CHANNEL_SERVICE)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(context.getString(R.string.service_title))
            .setContentText(
                when (problems.size) {
                    0 -> context.getString(R.string.service_text)
                    1 -> problems[0]
                    else -> context.getString(R.string.service_problems, problems[0], problems.size - 1)
                },
            )
            .setStyle(
                Notification.BigTextStyle().bigText(
                    if (problems.isEmpty()) context.getString(R.string.service_text) else problems.joinToString("\n"),
                ),
            )
            .setContentIntent(open)
            .setOngoing(true)
            .setShowWhen(false)
            .build()
    }
}
