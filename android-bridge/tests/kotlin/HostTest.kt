// The Kotlin side of the bridge on the host JVM: the generated uniffi bindings drive the host
// build of libringback_bridge through JNA, exactly as the app does, and the app's own
// NativeInit hands the library a Context — here the Java double of android.content.Context
// (android-bridge/tests/java), whose call log, SmsManager and SMS provider live in
// ringback.doubles.World. Run by scripts/android-host-test.
//
// It starts the bridge, feeds a missed call through the phone-state broadcast (the call log
// decides), the radio's sent reports and an inbound text, a text-back that finds no service
// and goes again when its SIM's service returns, and reads the status. The report
// intents are read with the app's own SmsReports names (generated from report.rs), so a name
// the Rust side and the app spell differently fails here; the suspend calls (pair, stop) run
// through kotlinx-coroutines as in the app.

import app.ringback.NativeInit
import app.ringback.SmsReports
import app.ringback.bridge.Bridge
import app.ringback.bridge.BridgeConfig
import app.ringback.bridge.BridgeException
import app.ringback.bridge.PhoneState
import app.ringback.bridge.ReceivedSms
import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import ringback.doubles.TestContext
import ringback.doubles.World

private var checks = 0

private fun check(condition: Boolean, what: () -> String) {
    checks++
    if (!condition) throw AssertionError(what())
}

private inline fun <reified E : Throwable> expectThrows(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) {
            checks++
            return e
        }
        throw AssertionError("$what: expected ${E::class.simpleName}, got $e", e)
    }
    throw AssertionError("$what: expected ${E::class.simpleName}, nothing was thrown")
}

fun main() {
    val now = System.currentTimeMillis()
    World.reset()
    World.addSubscription(1, 0, "Personal", "89010000000000000001")
    World.addSubscription(2, 1, "Acme line", "89010000000000000002")
    // The phone's history from before the install: never texted.
    World.addCall(1, "+12125550100", 3, now - 3 * 3_600_000, 0, "2")

    NativeInit.init(TestContext())
    val data = Files.createTempDirectory("ringback-host-test").toFile()
    try {
        val bridge = Bridge.start(
            BridgeConfig(
                dataDir = data.path,
                deviceName = "Host JVM",
                network = "loopback",
                settingsJson = """{"business_name": "Acme Plumbing", "region": "US"}""",
            ),
        )
        check(World.sends().isEmpty()) { "the history got a text: ${World.sendsJson()}" }

        // A missed call on the second SIM: the broadcast arrives with and without the number.
        World.addCall(2, "(212) 555-0123", 3, now - 25_000, 0, "2")
        bridge.onPhoneState(PhoneState.RINGING, "+12125550123")
        bridge.onPhoneState(PhoneState.IDLE, null)
        bridge.onPhoneState(PhoneState.IDLE, "+12125550123")
        bridge.onCallLogChanged()
        val sends = World.sends()
        check(sends.size == 1) { "one text-back, got ${World.sendsJson()}" }
        val text = sends[0]
        check(text.subscriptionId == 2) { "sent on the SIM the call came in on: ${text.subscriptionId}" }
        check(text.destination == "+12125550123") { "to the caller in E.164: ${text.destination}" }
        check(text.parts.joinToString("").contains("Acme Plumbing")) { "the template: ${text.parts}" }
        check(text.sentIntents.size == text.parts.size && text.deliveryIntents.size == text.parts.size) {
            "a sent and a delivered PendingIntent per part"
        }
        check(text.sentIntents.all { it.action == SmsReports.ACTION_SENT }) { "the sent action the app listens for" }
        check(text.deliveryIntents.all { it.action == SmsReports.ACTION_DELIVERED }) {
            "the delivered action the app listens for"
        }
        val messageId = text.sentIntents[0].extras[SmsReports.EXTRA_MESSAGE_ID] as Long

        // The radio reports every part sent.
        text.sentIntents.forEach { b ->
            val part = b.extras[SmsReports.EXTRA_PART] as Int
            bridge.onSmsSent(messageId, part, b.extras[SmsReports.EXTRA_PARTS] as Int, -1, null)
        }
        // The caller answers; emoji and all.
        bridge.onSmsReceived(ReceivedSms("+12125550123", "Leaking pipe under the sink 🚰", 2, now))

        val status = bridge.status()
        check(status.running && status.enabled) { "running and switched on: $status" }
        val last = status.lastMissedCall ?: throw AssertionError("no last missed call: $status")
        check(last.caller == "+12125550123") { "the caller: ${last.caller}" }
        check(last.action.startsWith("Texted back at ")) { "what was done: ${last.action}" }
        check(status.problems.any { it.contains("No desktop is paired") }) { "problems: ${status.problems}" }

        // A second caller's text-back finds no service on SIM 2: no part left, so it waits.
        World.addCall(3, "(212) 555-0177", 3, now - 10_000, 0, "2")
        bridge.onCallLogChanged()
        val retried = World.sends().drop(1)
        check(retried.size == 1) { "the second text-back, got ${World.sendsJson()}" }
        val retriedId = retried[0].sentIntents[0].extras[SmsReports.EXTRA_MESSAGE_ID] as Long
        retried[0].sentIntents.forEach { b ->
            // SmsManager.RESULT_ERROR_NO_SERVICE.
            bridge.onSmsSent(retriedId, b.extras[SmsReports.EXTRA_PART] as Int, b.extras[SmsReports.EXTRA_PARTS] as Int, 4, null)
        }
        // ServiceState.STATE_IN_SERVICE on the other SIM: not its line, it keeps waiting.
        bridge.onServiceState(1, 0)
        check(World.sends().size == 2) { "nothing sent for SIM 1's service: ${World.sendsJson()}" }
        // Back in service on SIM 2: sent again at once, on SIM 2.
        bridge.onServiceState(2, 0)
        val again = World.sends()
        check(again.size == 3 && again[2].subscriptionId == 2 && again[2].destination == "+12125550177") {
            "the waiting text-back goes again on SIM 2: ${World.sendsJson()}"
        }
        expectThrows<BridgeException.InvalidInput>("a service state Android does not have") {
            bridge.onServiceState(2, 9)
        }

        // A picture message the default app downloaded: the provider's observer fires and
        // the bridge reads its sender, text and photo through jni.
        World.addMms(20, 1, 132, now / 1000, 2, "http://mmsc.example/20", "T20", 1000)
        World.addMmsAddress(20, "+12125550123", 137)
        World.addMmsPart(20, 200, "text/plain", null, 106, null, "Photo of the boiler", null)
        World.addMmsPart(20, 201, "image/jpeg", "boiler.jpg", null, null, null, byteArrayOf(-1, -40, -1, -39))
        bridge.onMmsProviderChanged()
        check(World.queries().any { it.uri == "content://mms/20/part" }) { "the parts were read: ${World.queriesJson()}" }
        check(World.openStreams() == 0) { "the photo's stream was closed" }
        check(bridge.status().problems.none { it.contains("picture messages") }) {
            "problems: ${bridge.status().problems}"
        }

        // Bad input is a typed error with a sentence, never a crash.
        val bad = expectThrows<BridgeException.InvalidInput>("a code that is not one") {
            runBlocking { bridge.pair("not a code") }
        }
        check(!bad.message.isNullOrBlank()) { "the error says what is wrong" }
        expectThrows<BridgeException.InvalidInput>("part 3 of 2") { bridge.onSmsSent(messageId, 3, 2, -1, null) }

        // The switch.
        bridge.setEnabled(false)
        check(!bridge.status().enabled) { "switched off" }

        runBlocking { bridge.stop() }
        expectThrows<BridgeException.NotRunning>("after stop") { bridge.status() }
        bridge.destroy()
        println("kotlin host test: $checks checks passed")
    } finally {
        data.deleteRecursively()
    }
}
