//! End-to-end: the real built desktop app, in WebKit through WebDriver (tauri-driver and
//! WebKitWebDriver, under Xvfb), in demo mode against `ringback-phone-sim serve`, paired
//! over the same iroh sync a real phone uses. `scripts/e2e` builds everything, starts the
//! display, the session bus, a notification server and the driver, and runs these with
//! `--ignored`.
//!
//! Environment: `RINGBACK_E2E_APP` (the app binary), `RINGBACK_E2E_DRIVER` (the driver's
//! URL), `RINGBACK_E2E_SHOTS` (where screenshots go).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use ringback_tests::chat::{ChatRequest, ScriptedChat};
use ringback_tests::webdriver::{Element, Session, keys};

const SLOW: Duration = Duration::from_secs(30);

/// A running app with its own data folder.
struct App {
    session: Option<Session>,
    _data: tempfile::TempDir,
}

impl App {
    fn start() -> Result<App> {
        App::start_with(None)
    }

    /// Starts the app with `desktop.json` (this desktop's own settings) written first.
    fn start_with(desktop_json: Option<serde_json::Value>) -> Result<App> {
        let app = PathBuf::from(
            std::env::var("RINGBACK_E2E_APP").context("set RINGBACK_E2E_APP (scripts/e2e does)")?,
        );
        let driver =
            std::env::var("RINGBACK_E2E_DRIVER").unwrap_or_else(|_| "http://127.0.0.1:4444".into());
        // One instance at a time: a new app exits at once while the last test's is still
        // closing, so wait until it has gone.
        wait_until_no_app()?;
        let data = tempfile::tempdir()?;
        if let Some(json) = desktop_json {
            std::fs::write(data.path().join("desktop.json"), json.to_string())?;
        }
        let args = vec![
            "--demo".to_string(),
            "--data".to_string(),
            data.path().display().to_string(),
        ];
        let session = Session::start(&driver, &app, &args)?;
        session.wait("[data-testid=nav-demo]", SLOW)?;
        // The simulated phone pairs at start; the demo is ready once it is listed.
        session.wait_for(SLOW, "the simulated phone to pair", || {
            Ok(session
                .script(
                    "return document.documentElement.dataset.phones || '0';",
                    serde_json::json!([]),
                )?
                .as_str()
                .filter(|n| *n != "0")
                .map(str::to_string))
        })?;
        Ok(App {
            session: Some(session),
            _data: data,
        })
    }

    fn s(&self) -> &Session {
        self.session.as_ref().expect("session")
    }

    fn nav(&self, to: &str) -> Result<()> {
        let s = self.s();
        let button = s.wait(&format!("[data-testid=nav-{to}]"), SLOW)?;
        s.click(&button)
    }

    fn field(&self, testid: &str) -> Result<Element> {
        self.s().wait(&format!("[data-testid={testid}]"), SLOW)
    }

    fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        let e = self.field(testid)?;
        self.s().clear(&e)?;
        self.s().send_keys(&e, text)
    }

    fn click(&self, testid: &str) -> Result<()> {
        let e = self.field(testid)?;
        self.s().click(&e)
    }

    /// The simulated phone gets a missed call from `number`.
    fn missed_call(&self, number: &str) -> Result<()> {
        self.nav("demo")?;
        self.type_into("demo-number", number)?;
        self.click("demo-call")
    }

    /// The simulated phone gets a text from `number`.
    fn text_from(&self, number: &str, body: &str) -> Result<()> {
        self.nav("demo")?;
        self.type_into("demo-number", number)?;
        self.type_into("demo-sms-body", body)?;
        self.click("demo-sms")
    }

    /// Opens the conversation with `number` from the inbox.
    fn open_conversation(&self, number: &str) -> Result<()> {
        self.nav("inbox")?;
        let row = self.field_row(number)?;
        self.s().click(&row)?;
        self.s().wait("[data-testid=conv-header]", SLOW)?;
        Ok(())
    }

    fn field_row(&self, number: &str) -> Result<Element> {
        self.s().wait(
            &format!("[data-testid=conv-row][data-number='{number}']"),
            SLOW,
        )
    }

    /// Texts of the messages in the open thread, with their status.
    fn messages(&self) -> Result<Vec<(String, String, String)>> {
        let s = self.s();
        let mut out = Vec::new();
        for m in s.find_all("[data-testid=message]")? {
            out.push((
                s.attr(&m, "data-direction")?.unwrap_or_default(),
                s.attr(&m, "data-status")?.unwrap_or_default(),
                s.text(&m)?,
            ));
        }
        Ok(out)
    }

    fn wait_message(
        &self,
        what: &str,
        pred: impl Fn(&(String, String, String)) -> bool,
    ) -> Result<()> {
        self.s().wait_for(SLOW, what, || {
            Ok(self.messages()?.iter().any(&pred).then_some(()))
        })
    }

    /// A form control's current value.
    fn value(&self, testid: &str) -> Result<String> {
        self.field(testid)?;
        Ok(self
            .s()
            .script(
                "return document.querySelector(arguments[0]).value;",
                serde_json::json!([format!("[data-testid={testid}]")]),
            )?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Picks `value` in the select `testid` by clicking its option.
    fn choose(&self, testid: &str, value: &str) -> Result<()> {
        let s = self.s();
        let option = s.wait(
            &format!("[data-testid={testid}] option[value='{value}']"),
            SLOW,
        )?;
        s.click(&option)?;
        s.wait_for(SLOW, &format!("{testid} set to {value}"), || {
            Ok((self.value(testid)? == value).then_some(()))
        })
    }

    /// Saves the settings form and waits until it says so.
    fn save_settings(&self, shot: &str) -> Result<()> {
        let s = self.s();
        s.wait_for(SLOW, "the settings valid", || {
            let status = s.text(&self.field("settings-status")?)?;
            Ok(
                (s.enabled(&self.field("settings-save")?)? && !status.contains("problem"))
                    .then_some(()),
            )
        })?;
        self.click("settings-save")?;
        let saved = s.wait_for(SLOW, "the settings saved", || {
            let status = s.text(&self.field("settings-status")?)?;
            Ok(status.to_lowercase().contains("saved").then_some(()))
        });
        if saved.is_err() {
            self.shot(shot)?;
        }
        saved
    }

    /// The open conversation's assistant state (`data-status`) and its words.
    fn assistant_state(&self) -> Result<(String, String)> {
        let s = self.s();
        let e = self.field("assistant-state")?;
        Ok((s.attr(&e, "data-status")?.unwrap_or_default(), s.text(&e)?))
    }

    fn shot(&self, name: &str) -> Result<()> {
        let dir =
            std::env::var("RINGBACK_E2E_SHOTS").unwrap_or_else(|_| "target/e2e-screenshots".into());
        self.s()
            .screenshot(&PathBuf::from(dir).join(format!("{name}.png")))
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = s.quit();
        }
    }
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_missed_call_shows_in_missed_calls_and_its_text_back_in_the_inbox() -> Result<()> {
    let app = App::start()?;
    app.missed_call("+12125550101")?;

    app.nav("calls")?;
    let s = app.s();
    let row = s.wait("[data-testid=call-row][data-number='+12125550101']", SLOW)?;
    let decision = s.wait_for(SLOW, "the call's decision", || {
        let cell = s.find_all(
            "[data-testid=call-row][data-number='+12125550101'] [data-testid=call-decision]",
        )?;
        let Some(cell) = cell.first() else {
            return Ok(None);
        };
        let text = s.text(cell)?;
        Ok(text.to_lowercase().starts_with("texted").then_some(text))
    })?;
    assert!(decision.contains(':'), "the decision says when: {decision}");
    drop(row);
    app.shot("missed-calls")?;

    app.open_conversation("+12125550101")?;
    app.wait_message("the text-back in the thread", |(dir, _, text)| {
        dir == "outbound" && text.contains("Acme Plumbing")
    })?;
    app.nav("inbox")?;
    app.field_row("+12125550101")?;
    app.shot("inbox")?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_reply_typed_in_the_composer_is_sent_by_the_phone_and_shows_delivered() -> Result<()> {
    let app = App::start()?;
    app.text_from(
        "+12125550102",
        "Hi, my boiler is leaking — can someone come today? 🔧",
    )?;
    app.open_conversation("+12125550102")?;
    app.wait_message("the caller's text", |(dir, _, text)| {
        dir == "inbound" && text.contains("boiler is leaking")
    })?;
    let composer = app.field("composer")?;
    app.s().send_keys(
        &composer,
        "Yes — we can be there at 3pm. What's the address?",
    )?;
    let counter = app.s().wait_for(SLOW, "the segment counter", || {
        let text = app.s().text(&app.field("segments")?)?;
        Ok(text.contains("1 SMS").then_some(text))
    })?;
    assert!(
        counter.contains("1 SMS") && counter.contains("Unicode"),
        "one part, and the emoji in the thread do not matter, but an em dash makes it Unicode: {counter}"
    );
    // Ctrl+Enter sends.
    app.s()
        .send_keys(&composer, &format!("{}{}", keys::CONTROL, keys::ENTER))?;
    app.wait_message("the reply delivered", |(dir, status, text)| {
        dir == "outbound" && status == "delivered" && text.contains("be there at 3pm")
    })?;
    app.shot("conversation")?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_picture_message_shows_as_a_thumbnail_opens_in_the_viewer_and_saves() -> Result<()> {
    let app = App::start()?;
    app.nav("demo")?;
    app.type_into("demo-number", "+12125550131")?;
    app.type_into("demo-sms-body", "Here's the leak under the sink")?;
    app.click("demo-mms")?;
    // The inbox says what came.
    app.nav("inbox")?;
    app.field_row("+12125550131")?;
    // Read from the page: WebKit's driver leaves an ellipsised line out of an element's text.
    let preview = || -> Result<String> {
        let text = app.s().script(
            "return document.querySelector(\"[data-testid=conv-row][data-number='+12125550131'] .preview\")?.textContent ?? '';",
            serde_json::json!([]),
        )?;
        Ok(text.as_str().unwrap_or_default().to_string())
    };
    let previewed = app
        .s()
        .wait_for(SLOW, "the photo preview in the inbox", || {
            Ok(preview()?.contains("📷 Photo").then_some(()))
        });
    if previewed.is_err() {
        app.shot("photo-no-preview")?;
        eprintln!("inbox preview: {}", preview()?);
    }
    previewed?;
    app.open_conversation("+12125550131")?;
    app.wait_message("the picture message", |(dir, _, text)| {
        dir == "inbound" && text.contains("leak under the sink")
    })?;
    // The thumbnail shows once the photo has reached this desktop.
    let thumb = app.s().wait("[data-testid=thumbnail] img", SLOW)?;
    let src = app.s().attr(&thumb, "src")?.unwrap_or_default();
    assert!(
        src.starts_with("data:image/jpeg;base64,"),
        "{}",
        &src[..src.len().min(40)]
    );
    // The phone made the thumbnail (the platform gives none): the inline image is the
    // small one, not the 800×600 photo.
    let width = app.s().wait_for(SLOW, "the thumbnail decoded", || {
        let w = app.s().script(
            "return document.querySelector('[data-testid=thumbnail] img')?.naturalWidth ?? 0;",
            serde_json::json!([]),
        )?;
        Ok(w.as_u64().filter(|w| *w > 0))
    })?;
    assert!(width <= 320, "the thumbnail is {width} px wide");
    app.shot("photo-thumbnail")?;
    app.click("thumbnail")?;
    app.s().wait("[data-testid=viewer-image]", SLOW)?;
    app.click("viewer-zoom-in")?;
    assert_eq!(app.s().text(&app.field("viewer-zoom")?)?, "150 %");
    app.shot("photo-viewer")?;
    app.click("viewer-save")?;
    app.type_into("viewer-save-name", "e2e-leak.jpg")?;
    app.click("viewer-save-confirm")?;
    let saved = app.s().wait_for(SLOW, "the photo saved", || {
        let text = app.s().text(&app.field("viewer-saved")?)?;
        Ok(text.strip_prefix("Saved to ").map(str::to_string))
    })?;
    let bytes = std::fs::read(&saved).with_context(|| format!("reading {saved}"))?;
    assert_eq!(
        &bytes[..3],
        &[0xFF, 0xD8, 0xFF],
        "a JPEG was saved at {saved}"
    );
    let _ = std::fs::remove_file(&saved);
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_photo_pasted_into_the_composer_is_sent_by_the_phone_as_mms_under_the_size_limit() -> Result<()>
{
    let app = App::start()?;
    app.text_from("+12125550132", "Which valve do you mean?")?;
    app.open_conversation("+12125550132")?;
    app.wait_message("the caller's text", |(dir, _, text)| {
        dir == "inbound" && text.contains("Which valve")
    })?;
    // A 2400×1800 photo of noise (several MB as a PNG) pasted from the clipboard.
    let pasted = app.s().script_async(
        r#"const done = arguments[arguments.length - 1];
           const c = document.createElement("canvas");
           c.width = 2400; c.height = 1800;
           const g = c.getContext("2d");
           const img = g.createImageData(c.width, c.height);
           for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) >>> 24;
           g.putImageData(img, 0, 0);
           c.toBlob((blob) => {
             const dt = new DataTransfer();
             dt.items.add(new File([blob], "valve.png", { type: "image/png" }));
             const box = document.querySelector("[data-testid=composer]");
             box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
             done(blob.size);
           }, "image/png");"#,
        serde_json::json!([]),
    )?;
    assert!(
        pasted.as_u64().unwrap_or(0) > 300 * 1024,
        "the pasted photo starts over the limit: {pasted}"
    );
    let preview = app.s().wait("[data-testid=attached-photo]", SLOW)?;
    let size: u64 = app
        .s()
        .attr(&preview, "data-size")?
        .unwrap_or_default()
        .parse()?;
    assert!(size <= 300 * 1024, "previewed at {size} bytes");
    app.shot("photo-attached")?;
    app.type_into("composer", "This one, under the sink.")?;
    app.click("send")?;
    // The simulated phone prints mms_out for it; demo mode notes each one in its folder.
    let noted = app._data.path().join("demo-phone-mms-out.jsonl");
    let line = app.s().wait_for(SLOW, "the phone's mms_out", || {
        Ok(std::fs::read_to_string(&noted).ok().and_then(|t| {
            t.lines()
                .find(|l| l.contains("under the sink"))
                .map(str::to_string)
        }))
    })?;
    let line: serde_json::Value = serde_json::from_str(&line)?;
    let sent = &line["mms_out"];
    assert_eq!(sent["to"], "+12125550132");
    assert_eq!(sent["attachments"][0]["type"], "image/jpeg");
    let sent_size = sent["attachments"][0]["size"].as_u64().unwrap_or(u64::MAX);
    assert!(sent_size <= 300 * 1024, "sent at {sent_size} bytes");
    assert_eq!(
        sent_size, size,
        "the phone sent the photo that was previewed"
    );
    app.wait_message("the photo reply delivered", |(dir, status, text)| {
        dir == "outbound" && status == "delivered" && text.contains("under the sink")
    })?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_template_changed_in_settings_is_used_by_the_next_text_back() -> Result<()> {
    let app = App::start()?;
    app.nav("settings")?;
    let template = "Sorry we missed you! {business_name} here, reply with your address.";
    app.type_into("tpl-business_hours", template)?;
    app.type_into("tpl-after_hours", template)?;
    app.click("settings-save")?;
    let s = app.s();
    let saved = s.wait_for(SLOW, "the settings saved", || {
        let status = s.text(&app.field("settings-status")?)?;
        Ok(status.to_lowercase().contains("saved").then_some(()))
    });
    if saved.is_err() {
        app.shot("settings-not-saved")?;
    }
    saved?;
    app.missed_call("+12125550103")?;
    app.open_conversation("+12125550103")?;
    app.wait_message("the text-back with the new template", |(dir, _, text)| {
        dir == "outbound" && text.contains("reply with your address")
    })?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn an_inbound_stop_shows_the_opted_out_banner_and_disables_the_composer() -> Result<()> {
    let app = App::start()?;
    app.text_from("+12125550104", "Do you do drains?")?;
    app.open_conversation("+12125550104")?;
    assert!(
        app.s().enabled(&app.field("composer")?)?,
        "before STOP the composer works"
    );
    app.text_from("+12125550104", "STOP")?;
    app.open_conversation("+12125550104")?;
    let banner = app.field("optout-banner")?;
    let text = app.s().text(&banner)?;
    assert!(text.contains("STOP"), "the banner says why: {text}");
    let s = app.s();
    s.wait_for(SLOW, "the composer disabled", || {
        Ok((!s.enabled(&app.field("composer")?)?).then_some(()))
    })?;
    assert!(
        !s.enabled(&app.field("send")?)?,
        "the send button is disabled"
    );
    app.shot("opted-out")?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn pairing_with_a_bad_code_shows_an_error() -> Result<()> {
    let app = App::start()?;
    app.nav("devices")?;
    app.click("pair-phone")?;
    let code = app.s().text(&app.field("short-code")?)?;
    assert!(code.len() > 20, "the devices screen shows a code: {code}");
    app.field("qr")?;
    app.nav("demo")?;
    // One character changed: the checksum catches it.
    let mut bad: Vec<char> = code.chars().collect();
    let i = bad
        .iter()
        .position(|c| c.is_ascii_alphanumeric())
        .unwrap_or(0);
    bad[i] = if bad[i] == 'A' { 'B' } else { 'A' };
    let bad: String = bad.into_iter().collect();
    app.type_into("demo-pair-code", &bad)?;
    app.click("demo-pair")?;
    let s = app.s();
    let error = s.wait_for(SLOW, "the pairing error", || {
        let e = app.field("demo-error")?;
        let text = s.text(&e)?;
        Ok((!text.is_empty()).then_some(text))
    })?;
    assert!(
        error.to_lowercase().contains("pair") || error.to_lowercase().contains("code"),
        "the error names the problem: {error}"
    );
    app.shot("pairing-error")?;
    Ok(())
}

impl App {
    /// Gives the simulated phone `code` from the demo panel.
    fn give_code(&self, code: &str) -> Result<()> {
        self.nav("demo")?;
        self.type_into("demo-pair-code", code)?;
        self.click("demo-pair")
    }

    /// Waits until the demo panel's status or error says `words` (the pairing ended).
    fn demo_says(&self, words: &str) -> Result<()> {
        let s = self.s();
        let said = s.wait_for(SLOW, words, || {
            let error = s.text(&self.field("demo-error")?)?;
            let status = s.text(&self.field("demo-status")?)?;
            Ok((error.contains(words) || status.contains(words)).then_some(()))
        });
        if said.is_err() {
            self.shot(&format!("demo-not-{}", words.replace(' ', "-")))?;
        }
        said
    }

    /// The waiting phone's name and fingerprint, once the pairing dialog shows it.
    fn pairing_request(&self) -> Result<(String, String)> {
        let s = self.s();
        s.wait("[data-testid=pairing-request]", SLOW)?;
        Ok((
            s.text(&self.field("pairing-name")?)?,
            s.text(&self.field("pairing-fingerprint")?)?,
        ))
    }
}

/// A person on both ends: the Devices screen shows a button, not a code; the right code
/// makes the phone wait while the window shows its name and fingerprint (those of the
/// paired simulated phone, listed under Devices); Reject refuses it with a reason it shows;
/// the used code pairs no one after; a new code and Accept pair it.
#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_phone_with_the_right_code_waits_for_a_person_at_the_desktop() -> Result<()> {
    let app = App::start()?;
    let s = app.s();
    app.nav("devices")?;
    s.wait("[data-testid=pair-phone]", SLOW)?;
    assert!(
        s.find_all("[data-testid=short-code]")?.is_empty(),
        "no code before Pair a phone is pressed"
    );
    let row = s.text(&s.wait("[data-testid=peer-row]", SLOW)?)?;
    app.click("pair-phone")?;
    let payload = s
        .attr(&app.field("qr")?, "data-payload")?
        .context("the QR code's text")?;
    app.give_code(&payload)?;
    let (name, fingerprint) = app.pairing_request()?;
    assert_eq!(name, "Demo phone");
    assert!(
        row.contains(&fingerprint),
        "the dialog shows the simulated phone's fingerprint: {fingerprint} in {row}"
    );
    app.shot("pairing-request")?;
    app.click("pairing-reject")?;
    // The phone is told why.
    app.demo_says("declined")?;
    assert!(s.find_all("[data-testid=pairing-request]")?.is_empty());
    // The code was used: it pairs no one any more.
    app.give_code(&payload)?;
    app.demo_says("used already")?;
    // A new code, and Accept.
    app.nav("devices")?;
    app.click("pair-phone")?;
    let payload = s
        .attr(&app.field("qr")?, "data-payload")?
        .context("the QR code's text")?;
    app.give_code(&payload)?;
    app.pairing_request()?;
    app.click("pairing-accept")?;
    app.demo_says("The simulated phone paired.")?;
    app.nav("devices")?;
    s.wait_for(SLOW, "one phone listed", || {
        Ok((s.find_all("[data-testid=peer-row]")?.len() == 1).then_some(()))
    })?;
    Ok(())
}

#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn an_inbound_text_raises_a_desktop_notification_that_opens_the_conversation() -> Result<()> {
    // Every Notify call on the session bus, as the notification server receives it.
    let log = tempfile::NamedTempFile::new()?;
    let mut monitor = Command::new("dbus-monitor")
        .args([
            "--session",
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(log.reopen()?)
        .spawn()
        .context("dbus-monitor (scripts/e2e runs the tests inside a session bus)")?;
    let app = App::start()?;
    // Somewhere else to look: the window stays on another conversation.
    app.text_from("+12125550106", "First text")?;
    app.open_conversation("+12125550106")?;
    app.nav("demo")?;
    app.type_into("demo-number", "+12125550105")?;
    // With a link in it: the notification server must show it as text, not as a link.
    app.type_into(
        "demo-sms-body",
        r#"Is Saturday morning possible? <a href="https://evil.example/pay">Pay here</a> & thanks"#,
    )?;
    // The person switches to another window: the text arrives while Ringback is not focused.
    app.s().minimize()?;
    app.click("demo-sms")?;
    let s = app.s();
    let seen = s.wait_for(SLOW, "a notification with the text", || {
        let text = std::fs::read_to_string(log.path())?;
        Ok(text.contains("Saturday morning possible").then_some(text))
    });
    let _ = monitor.kill();
    let seen = seen?;
    assert!(seen.contains("Ringback"), "the notification names the app");
    assert!(
        seen.contains("&lt;a href=") && seen.contains("&amp; thanks"),
        "the body reaches the notification server escaped: {seen}"
    );
    assert!(
        !seen.contains("<a href"),
        "markup reached the notification server: {seen}"
    );
    // Clicking it (the server's default action) opens the conversation.
    let clicked = Command::new("dunstctl").args(["action", "0"]).status()?;
    assert!(clicked.success(), "dunstctl action");
    s.wait_for(
        SLOW,
        "the conversation opened from the notification",
        || {
            let header = app.field("conv-header")?;
            Ok((s.attr(&header, "data-number")?.as_deref() == Some("+12125550105")).then_some(()))
        },
    )?;
    Ok(())
}

/// The assistant with a scripted model: set up in Settings (the key write-only: sent to the
/// phone once, never shown again but as the phone's mask), in
/// suggest mode a caller's text becomes a draft in the composer and a lead card; in auto
/// mode the next text is answered by the assistant, marked in the thread, and the slot it
/// books shows as an appointment that exports as iCalendar.
#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn the_assistant_drafts_answers_books_and_exports_the_appointment() -> Result<()> {
    const KEY: &str = "sk-e2e-secret-0123456789";
    const NUMBER: &str = "+12125550107";
    const DRAFT: &str = "Sorry to hear that! Is it urgent, and when would suit you?";
    let booked = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let noted = booked.clone();
    let llm = ScriptedChat::start(move |n, request: &ChatRequest| {
        let lead = serde_json::json!({
            "problem": "Leaking pipe", "postcode": "10001", "urgency": "urgent",
            "preferred_time": "tomorrow morning",
        });
        let mut answer = lead;
        if n >= 2 {
            return "Sure thing! I'll sort that out.".into();
        }
        if n == 0 {
            answer["reply"] = DRAFT.into();
            answer["book_slot"] = serde_json::Value::Null;
        } else {
            // Exactly as offered: the first free slot of the prompt.
            let slot = request
                .offered_slots()
                .into_iter()
                .next()
                .unwrap_or_default();
            answer["reply"] = format!("You're booked for {slot}. See you then!").into();
            answer["book_slot"] = slot.clone().into();
            if let Ok(mut b) = noted.lock() {
                *b = slot;
            }
        }
        answer.to_string()
    })?;
    let app = App::start()?;

    // Settings: the endpoint, the key, suggest mode.
    app.nav("settings")?;
    app.type_into("assistant-base-url", &llm.base_url())?;
    app.type_into("assistant-model", "scripted")?;
    app.type_into("assistant-api-key", KEY)?;
    app.choose("assistant-mode", "suggest")?;
    app.save_settings("assistant-settings-not-saved")?;
    assert_eq!(
        app.value("assistant-api-key")?,
        "",
        "the key box is write-only: empty once the key is sent"
    );
    // The phone answers with the key's mask; the window shows that, and never the key.
    let s = app.s();
    let key_state = || -> Result<String> { s.text(&app.field("assistant-key-state")?) };
    let shown = s.wait_for(SLOW, "the phone's word that it has the key", || {
        let v = key_state()?;
        Ok(v.contains("sk-…6789").then_some(v))
    })?;
    assert!(
        !shown.contains("e2e-secret"),
        "the key reached the window: {shown}"
    );
    // The same when the screen reads afresh.
    app.nav("inbox")?;
    app.nav("settings")?;
    let shown = s.wait_for(SLOW, "the settings loaded again", || {
        let v = key_state()?;
        Ok(v.contains("sk-…6789").then_some(v))
    })?;
    assert!(
        !shown.contains("e2e-secret"),
        "the key reached the window: {shown}"
    );
    assert_eq!(app.value("assistant-api-key")?, "");
    let page: String = s
        .script(
            "return document.documentElement.outerHTML;",
            serde_json::json!([]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        !page.contains("e2e-secret"),
        "the full key never reaches the window"
    );
    assert_eq!(app.value("assistant-mode")?, "suggest");
    s.script(
        "document.querySelector('[data-testid=assistant-settings]').scrollIntoView();",
        serde_json::json!([]),
    )?;
    app.shot("assistant-settings")?;

    // Suggest: a caller's text becomes a draft in the composer.
    app.text_from(
        NUMBER,
        "Hi, a pipe under my kitchen sink is leaking badly. I'm in 10001.",
    )?;
    app.open_conversation(NUMBER)?;
    s.wait_for(SLOW, "the assistant's draft", || {
        let (status, _) = app.assistant_state()?;
        Ok((status == "drafted" && app.value("composer")? == DRAFT).then_some(()))
    })?;
    let note = s.text(&app.field("draft-note")?)?;
    assert!(note.contains("Draft by the assistant"), "{note}");
    let (_, words) = app.assistant_state()?;
    assert!(words.contains("draft"), "the state in words: {words}");
    let card = s.text(&app.field("lead-card-line")?)?;
    assert_eq!(card, "Leaking pipe · 10001 · urgent · tomorrow morning");
    assert!(
        app.messages()?.iter().all(|(dir, _, _)| dir == "inbound"),
        "a draft is not sent"
    );
    let first = llm.requests();
    assert_eq!(first.len(), 1, "one question per text");
    assert_eq!(
        first[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str()),
        "the phone sends the whole key"
    );
    assert!(
        first[0].system().contains("Free appointment slots:"),
        "the prompt offers slots"
    );
    app.shot("assistant-draft")?;
    // Dismissed, the draft goes from the composer.
    app.click("draft-dismiss")?;
    s.wait_for(SLOW, "the draft dismissed", || {
        Ok((app.value("composer")?.is_empty()
            && s.find_all("[data-testid=draft-note]")?.is_empty())
        .then_some(()))
    })?;

    // Auto: saved again with no key typed: the phone keeps its own (same server).
    app.nav("settings")?;
    app.choose("assistant-mode", "auto")?;
    app.save_settings("assistant-auto-not-saved")?;
    app.text_from(
        NUMBER,
        "Tomorrow morning is good, the first time you have is fine.",
    )?;
    app.open_conversation(NUMBER)?;
    app.wait_message("the assistant's answer in the thread", |(dir, _, text)| {
        dir == "outbound" && text.contains("booked for")
    })?;
    let slot = booked.lock().map(|b| b.clone()).unwrap_or_default();
    assert!(!slot.is_empty(), "the model was offered a slot");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str()),
        "saving without a key kept the phone's"
    );
    let assistant_texts = s.find_all("[data-testid=message][data-kind=assistant]")?;
    assert_eq!(assistant_texts.len(), 1, "one assistant text");
    let text = s.text(&assistant_texts[0])?;
    assert!(text.contains(&slot), "it names the slot: {text}");
    assert!(
        text.contains("Assistant"),
        "marked as the assistant's: {text}"
    );
    s.wait_for(SLOW, "the booking on the lead card", || {
        Ok((!s.find_all("[data-testid=lead-booked]")?.is_empty()
            && !s.find_all("[data-testid=lead-appointment]")?.is_empty())
        .then_some(()))
    })?;
    let (status, _) = app.assistant_state()?;
    assert_eq!(status, "answered");
    app.shot("assistant-booked")?;

    // The team takes over, and hands back.
    app.click("assistant-take-over")?;
    let words = s.wait_for(SLOW, "the conversation taken over", || {
        let (status, words) = app.assistant_state()?;
        Ok((status == "handed_off").then_some(words))
    })?;
    assert!(words.contains("taken over by the team"), "{words}");
    app.click("assistant-resume")?;
    s.wait_for(SLOW, "the conversation handed back", || {
        let (status, _) = app.assistant_state()?;
        Ok((status == "answered").then_some(()))
    })?;
    // An answer that is not the JSON asked for is not sent, and the window says why.
    app.text_from(NUMBER, "Also, do you fix boilers?")?;
    app.open_conversation(NUMBER)?;
    let words = s.wait_for(SLOW, "the assistant's failure explained", || {
        let (status, words) = app.assistant_state()?;
        Ok((status == "needs_team").then_some(words))
    })?;
    assert!(
        words.contains("couldn't answer") && words.contains("yours to answer"),
        "{words}"
    );
    assert_eq!(llm.requests().len(), 3);
    assert_eq!(
        s.find_all("[data-testid=message][data-kind=assistant]")?
            .len(),
        1,
        "the nonsense was not sent"
    );
    app.shot("assistant-needs-team")?;

    // Appointments: the slot, in the business's zone, and its calendar file.
    app.nav("appointments")?;
    let row = s.wait(
        &format!("[data-testid=appointment-row][data-number='{NUMBER}']"),
        SLOW,
    )?;
    let row_text = s.text(&row)?;
    // "Tue 2026-11-03 08:00" → the row shows 08:00 (New York, as offered).
    let hhmm = slot.rsplit(' ').next().unwrap_or_default();
    assert!(
        !hhmm.is_empty() && row_text.contains(&format!("{hhmm}–")),
        "the row shows the slot's time {hhmm}: {row_text}"
    );
    assert!(row_text.contains("Leaking pipe"), "{row_text}");
    app.click("export-ics")?;
    let path = s.wait_for(SLOW, "the export's path", || {
        let p = s.find_all("[data-testid=export-path]")?;
        Ok(match p.first() {
            Some(e) => Some(s.text(e)?),
            None => None,
        })
    })?;
    assert!(path.ends_with("ringback-appointments.ics"), "{path}");
    let ics = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let _ = std::fs::remove_file(&path);
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    app.shot("appointments")?;
    app.click("appointment-open")?;
    s.wait_for(SLOW, "the conversation opened from the appointment", || {
        let header = app.field("conv-header")?;
        Ok((s.attr(&header, "data-number")?.as_deref() == Some(NUMBER)).then_some(()))
    })?;
    Ok(())
}

/// Killing the simulated phone (as Android kills an app) raises the "phone silent" alert on
/// the inbox's strip and one desktop notification once the threshold has passed (3 s here,
/// through `desktop.json`; 10 minutes by default).
#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_killed_phone_raises_the_phone_silent_alert_and_a_notification() -> Result<()> {
    let log = tempfile::NamedTempFile::new()?;
    let mut monitor = Command::new("dbus-monitor")
        .args([
            "--session",
            "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
        ])
        .stdout(log.reopen()?)
        .spawn()
        .context("dbus-monitor (scripts/e2e runs the tests inside a session bus)")?;
    let app = App::start_with(Some(serde_json::json!({"phone_silent_after_seconds": 3})))?;
    let s = app.s();
    app.nav("inbox")?;
    assert!(
        s.find_all("[data-testid=alert][data-kind=phone_silent]")?
            .is_empty(),
        "no alert while the phone is there"
    );
    kill_phone_sim(app._data.path())?;
    // The desktop notices a killed phone when its connection times out or its heartbeats
    // stop (up to three of them), then the threshold runs.
    let quiet = Duration::from_secs(150);
    let alert = s.wait("[data-testid=alert][data-kind=phone_silent]", quiet)?;
    let words = s.text(&alert)?;
    assert!(words.contains("silent"), "{words}");
    assert!(words.contains("last heard"), "{words}");
    app.shot("phone-silent")?;
    let seen = s.wait_for(SLOW, "the notification for the silent phone", || {
        let text = std::fs::read_to_string(log.path())?;
        Ok(text.contains("has been silent").then_some(text))
    });
    let _ = monitor.kill();
    let seen = seen?;
    assert_eq!(
        seen.matches("has been silent").count(),
        1,
        "notified once: {seen}"
    );
    Ok(())
}

/// A permission revoked on the phone shows on Devices with its fix, and on the inbox's
/// strip; granted back, both clear.
#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_revoked_permission_shows_on_devices_with_its_fix() -> Result<()> {
    let app = App::start()?;
    let s = app.s();
    app.nav("demo")?;
    app.click("demo-revoke-call-log")?;
    app.nav("devices")?;
    let problem = s.wait("[data-testid=check][data-state=problem]", SLOW)?;
    let words = s.text(&problem)?;
    assert!(words.contains("Call logs"), "{words}");
    assert!(
        words.contains("Settings") && words.contains("Permissions"),
        "the fix says where: {words}"
    );
    app.shot("permission-revoked")?;
    app.nav("inbox")?;
    s.wait("[data-testid=alert][data-kind=permission_missing]", SLOW)?;
    app.nav("demo")?;
    app.click("demo-grant-call-log")?;
    app.nav("devices")?;
    s.wait_for(SLOW, "the permission to be back", || {
        Ok(s.find_all("[data-testid=check][data-state=problem]")?
            .is_empty()
            .then_some(()))
    })?;
    app.nav("inbox")?;
    s.wait_for(SLOW, "the alert to clear", || {
        Ok(
            s.find_all("[data-testid=alert][data-kind=permission_missing]")?
                .is_empty()
                .then_some(()),
        )
    })?;
    Ok(())
}

/// Kills the simulated phone that the app using `data` started (its command line names a
/// folder inside that one), by its process id: other apps on this machine keep theirs.
fn kill_phone_sim(data: &std::path::Path) -> Result<()> {
    let data = data.display().to_string();
    let mut killed = 0;
    for entry in std::fs::read_dir("/proc")?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        let is_sim = std::fs::read_to_string(entry.path().join("comm"))
            .is_ok_and(|c| c.trim() == "ringback-phone-");
        if !is_sim {
            continue;
        }
        // Its command line names its data folder, inside the app's.
        let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmd).contains(&data) {
            continue;
        }
        let status = Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill {pid}");
        killed += 1;
    }
    anyhow::ensure!(
        killed == 1,
        "expected one simulated phone of this app, killed {killed}"
    );
    Ok(())
}

/// Waits (up to 30 s) until no `ringback-desktop` process is left.
#[test]
#[ignore = "drives the built app: run scripts/e2e"]
fn a_retried_text_shows_its_state() -> Result<()> {
    let app = App::start()?;
    app.text_from("+12125550109", "Is anyone free this afternoon?")?;
    app.open_conversation("+12125550109")?;
    app.wait_message("the caller's text", |(dir, _, text)| {
        dir == "inbound" && text.contains("free this afternoon")
    })?;
    // The phone's line loses service, then a reply is written in the window.
    app.nav("demo")?;
    app.click("demo-radio-no_service")?;
    app.s().wait_for(SLOW, "the phone without service", || {
        let status = app.s().text(&app.field("demo-status")?)?;
        Ok(status.contains("lost service").then_some(()))
    })?;
    app.open_conversation("+12125550109")?;
    let composer = app.field("composer")?;
    app.s().send_keys(&composer, "Yes, at 4pm.")?;
    app.s()
        .send_keys(&composer, &format!("{}{}", keys::CONTROL, keys::ENTER))?;
    app.wait_message(
        "the reply retrying for no service",
        |(dir, status, text)| {
            dir == "outbound"
            && status == "retrying"
            && text.contains("at 4pm")
            && text.contains("Retrying since")
            && text.contains("(no service)")
            // No resend while the phone retries it.
            && !text.contains("Resend")
        },
    )?;
    app.shot("retrying")?;
    // Service returns: the phone sends it at once, and the bubble says so.
    app.nav("demo")?;
    app.click("demo-radio-in_service")?;
    app.s().wait_for(SLOW, "the phone back in service", || {
        let status = app.s().text(&app.field("demo-status")?)?;
        Ok(status.contains("service again").then_some(()))
    })?;
    app.open_conversation("+12125550109")?;
    app.wait_message(
        "the reply sent once service returned",
        |(dir, status, text)| {
            dir == "outbound"
                && (status == "sent" || status == "delivered")
                && text.contains("at 4pm")
                && !text.contains("Retrying")
        },
    )?;
    Ok(())
}

fn wait_until_no_app() -> Result<()> {
    let start = std::time::Instant::now();
    loop {
        let running = std::fs::read_dir("/proc")?.flatten().any(|e| {
            std::fs::read_to_string(e.path().join("comm"))
                .is_ok_and(|c| c.trim() == "ringback-deskto")
                && std::fs::read_to_string(e.path().join("stat")).is_ok_and(|s| {
                    !s.rsplit_once(')')
                        .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
                })
        });
        if !running {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(30) {
            anyhow::bail!("the previous test's app did not exit within 30 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
