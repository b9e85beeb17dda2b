package app.ringback

import android.app.Application

/** Sets up what every entry point (activity, service, receiver) may need first. */
class RingbackApp : Application() {
    override fun onCreate() {
        super.onCreate()
        Notifications.createChannels(this)
    }
}
