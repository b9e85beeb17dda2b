//! "Copy diagnostics" (Devices): what helps support, and nothing a caller or the owner
//! would not want passed on. The app's version, the system, the network, each phone's
//! name, fingerprint and link, and the end of the log file: no message, no API key, no
//! whole phone number (the store is not read at all, and every line is masked again).

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use ringback_core::settings::Network;

use crate::desktop::Desktop;
use crate::ipc::{Diagnostics, LinkState, PeerRow};
use crate::logging::{self, mask_numbers};

/// The most log lines copied.
pub const TAIL_LINES: usize = 200;
/// The most of each log file read from its end.
const TAIL_BYTES: u64 = 256 * 1024;
/// A longer log line is cut here.
const MAX_LINE_CHARS: usize = 500;
/// The levels whose lines are copied: `debug` and `trace` lines, written only when
/// `RUST_LOG` asks for them, may quote what callers wrote.
const COPIED_LEVELS: [&str; 3] = ["INFO", "WARN", "ERROR"];

/// What the app knows besides the desktop itself.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Demo mode runs a simulated phone.
    pub demo: bool,
    /// The folder of the log files, if the app writes any.
    pub logs: Option<PathBuf>,
}

/// Gathers the diagnostics, as text to copy.
pub fn gather(desktop: &Desktop, context: &Context, now: Timestamp) -> Diagnostics {
    let mut text = String::new();
    let (config, restart) = desktop.config();
    let phones = desktop.peers();
    let _ = writeln!(text, "Ringback desktop diagnostics, {}", words(now));
    let _ = writeln!(
        text,
        "App: Ringback desktop {}{}",
        env!("CARGO_PKG_VERSION"),
        if context.demo { " (demo mode)" } else { "" }
    );
    let _ = writeln!(text, "System: {}", system());
    let _ = writeln!(
        text,
        "Network: {}{}",
        network_words(config.network, &config.relay_url),
        if restart {
            " (changed; used from the next start)"
        } else {
            ""
        }
    );
    let _ = writeln!(text, "This desktop's name: {}", config.name);
    let _ = writeln!(text, "Data folder: {}", desktop.dir().display());
    let _ = writeln!(
        text,
        "Log folder: {}",
        context.logs.as_deref().map_or_else(
            || "none (logging to stderr only)".into(),
            |p| p.display().to_string()
        )
    );
    let _ = writeln!(
        text,
        "Pairing code shown: {}; phones waiting to be accepted: {}",
        if desktop.pairing_code().is_some() {
            "yes"
        } else {
            "no"
        },
        desktop.pairing_requests().len()
    );
    let _ = writeln!(text, "Paired phones: {}", phones.len());
    for phone in &phones {
        let _ = writeln!(text, "- {}", phone_line(phone));
    }
    let tail = context
        .logs
        .as_deref()
        .map(|folder| log_tail(folder, TAIL_LINES));
    let log_lines = match &tail {
        Some(Ok(lines)) => {
            let _ = writeln!(text, "\nThe log's last {} lines:", lines.len());
            for line in lines {
                let _ = writeln!(text, "{line}");
            }
            lines.len()
        }
        Some(Err(e)) => {
            let _ = writeln!(text, "\nThe log could not be read: {e}");
            0
        }
        None => 0,
    };
    Diagnostics {
        // Names and folders are the owner's words: masked like the log.
        text: mask_numbers(&text).into_owned(),
        phones: u32::try_from(phones.len()).unwrap_or(u32::MAX),
        log_lines: u32::try_from(log_lines).unwrap_or(u32::MAX),
    }
}

fn phone_line(phone: &PeerRow) -> String {
    let connected = |how: String| {
        let rtt = phone
            .rtt_ms
            .map(|ms| format!(", {ms} ms"))
            .unwrap_or_default();
        let since = phone
            .since_ms
            .and_then(at)
            .map(|t| format!(" since {t}"))
            .unwrap_or_default();
        format!("connected ({how}{rtt}){since}")
    };
    let link = match phone.link {
        LinkState::Lan => connected("direct on this network".into()),
        LinkState::Direct => connected("direct over the internet".into()),
        LinkState::Relay => connected(match &phone.relay {
            Some(host) => format!("relay {host}"),
            None => "relay".into(),
        }),
        LinkState::Offline => match phone.offline_since_ms.and_then(at) {
            Some(since) => format!("offline since {since}"),
            None => "not connected yet".to_string(),
        },
    };
    let last = phone.last_sync_ms.and_then(at).map_or_else(
        || "nothing received since the app started".into(),
        |t| format!("last received {t}"),
    );
    format!(
        "{} · fingerprint {} · {link} · {last}",
        phone.name, phone.fingerprint
    )
}

fn at(ms: i64) -> Option<String> {
    Timestamp::from_millisecond(ms).ok().map(words)
}

/// A time to read, to the second ("2026-11-02 14:02:30 UTC").
fn words(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The network in words; a self-hosted relay by its host only (an address may carry a
/// user name and password).
fn network_words(network: Network, relay_url: &str) -> String {
    match network {
        Network::Default => "default (public relays and address lookup)".into(),
        Network::LanOnly => "LAN only".into(),
        Network::SelfHostedRelay => {
            let rest = relay_url.split_once("://").map_or(relay_url, |(_, r)| r);
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
            format!("self-hosted relay at {host}")
        }
    }
}

/// The operating system and processor, with the distribution's name where it says one.
fn system() -> String {
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    match os_release_name() {
        Some(name) => format!("{base} ({name})"),
        None => base,
    }
}

fn os_release_name() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open("/etc/os-release")
        .ok()?
        .take(16 * 1024)
        .read_to_string(&mut text)
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim().trim_matches('"').chars().take(100).collect())
}

/// The last `max` lines at info level or above of the app's log files in `folder` (the
/// newest file, and older ones when it is short), oldest first, each masked and cut to a
/// readable length.
pub fn log_tail(folder: &Path, max: usize) -> std::io::Result<Vec<String>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&format!("{}.", logging::FILE_PREFIX))
                    && n.ends_with(&format!(".{}", logging::FILE_SUFFIX))
            })
        })
        .collect();
    // `ringback.YYYY-MM-DD.log`: by name is by day.
    files.sort();
    let mut lines: Vec<String> = Vec::new();
    for file in files.iter().rev() {
        let mut older = copied_lines(&read_end(file)?);
        older.append(&mut lines);
        lines = older;
        if lines.len() >= max {
            break;
        }
    }
    let skip = lines.len().saturating_sub(max);
    Ok(lines
        .into_iter()
        .skip(skip)
        .map(|l| {
            let cut: String = l.chars().take(MAX_LINE_CHARS).collect();
            let cut = if cut.len() < l.len() {
                format!("{cut}…")
            } else {
                cut
            };
            mask_numbers(&cut).into_owned()
        })
        .collect())
}

/// The end of a file (its last [`TAIL_BYTES`]), from the first whole line.
fn read_end(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let start = len.saturating_sub(TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(TAIL_BYTES).read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(match (start > 0, text.split_once('\n')) {
        (true, Some((_, rest))) => rest.to_string(),
        (true, None) => String::new(),
        (false, _) => text,
    })
}

/// The lines of records at a copied level, with their continuation lines; a continuation
/// whose record is not in view is left out.
fn copied_lines(text: &str) -> Vec<String> {
    let mut keep = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(level) = record_level(line) {
            keep = COPIED_LEVELS.contains(&level);
        }
        if keep {
            out.push(line.to_string());
        }
    }
    out
}

/// The level of a line that starts a record (`2026-11-02T14:02:30.123456Z  INFO …`).
fn record_level(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    let time = words.next()?;
    let level = words.next()?;
    let starts = time.starts_with(|c: char| c.is_ascii_digit()) && time.contains('T');
    (starts && ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level)).then_some(level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::save_settings_to;
    use crate::ipc::KeyInput;
    use ringback_core::settings::Settings;
    use ringback_core::sync::replica::DesktopReplica;

    const NUMBER: &str = "+12125550142";
    const BODY: &str = "Can you fix the boiler at 12 Elm Street before noon?";
    const KEY: &str = "sk-proj-abcdefghijklmnop9f3a";

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn diagnostics_hold_no_api_key_no_message_and_no_whole_number() {
        let dir = tempfile::tempdir().expect("dir");
        let id = iroh::SecretKey::from_bytes(&[3; 32]).public().to_string();
        let folder = dir.path().join("phones").join(&id);
        std::fs::create_dir_all(&folder).expect("mkdir");
        let replica = DesktopReplica::open(&folder.join("ringback.db")).expect("replica");
        replica
            .with(|s| s.set_meta("phone_name", "Dana's cell +1 (212) 555-0142"))
            .expect("name");
        drop(replica);
        let desktop = Desktop::start_on(
            dir.path(),
            Some(ringback_core::sync::net::NetworkMode::Loopback),
            None,
        )
        .await
        .expect("desktop");
        // The replica holds a key on its way to the phone and a reply with a body and a number.
        let mut settings = Settings {
            business_name: "Acme Plumbing".into(),
            ..Settings::default()
        };
        settings.assistant.base_url = "https://api.example.com/v1".into();
        save_settings_to(&desktop, &id, settings, Some(KeyInput::Set(KEY.into())))
            .await
            .expect("saved");
        desktop
            .phone(&id)
            .expect("paired")
            .request_reply(None, Some(NUMBER), BODY)
            .expect("queued");
        // A log that was written with a whole number (by an older version) and with
        // debug lines quoting a text.
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(&logs).expect("logs");
        std::fs::write(
            logs.join("ringback.2026-11-01.log"),
            "2026-11-01T23:59:00.000001Z  INFO ringback_core::sync: yesterday's line\n",
        )
        .expect("write");
        std::fs::write(
            logs.join("ringback.2026-11-02.log"),
            format!(
                "2026-11-02T09:00:00.000001Z  INFO ringback_core::engine: text-back to={NUMBER}\n\
                 2026-11-02T09:00:01.000001Z DEBUG ringback_desktop::demo: line={{\"sms\":{{\"body\":\"{BODY}\"}}}}\n\
                 \tcontinued: {BODY}\n\
                 2026-11-02T09:00:02.000001Z  WARN ringback_core::sync: sync session ended\n\
                 \tcaused by: the phone went away\n"
            ),
        )
        .expect("write");
        std::fs::write(logs.join("other.txt"), BODY).expect("write");

        let context = Context {
            demo: true,
            logs: Some(logs),
        };
        let d = gather(&desktop, &context, Timestamp::now());
        let text = &d.text;
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
        assert!(text.contains("(demo mode)"), "{text}");
        assert!(text.contains(std::env::consts::OS), "{text}");
        assert!(text.contains("Network: default"), "{text}");
        let fingerprint = desktop.peers()[0].fingerprint.clone();
        assert!(
            text.contains(&format!(
                "- Dana's cell +• (•••) •••-••42 · fingerprint {fingerprint} · offline since "
            )),
            "{text}"
        );
        assert!(text.contains("yesterday's line"), "{text}");
        assert!(text.contains("text-back to=+•••••••••42"), "{text}");
        assert!(
            text.contains("sync session ended\n\tcaused by: the phone went away"),
            "{text}"
        );
        assert_eq!(d.phones, 1);
        assert_eq!(d.log_lines, 4);
        for secret in [KEY, "9f3a", BODY, "boiler", "2125550142", "555-0142"] {
            assert!(
                !text.contains(secret),
                "{secret} is not in the diagnostics: {text}"
            );
        }
    }

    #[test]
    fn the_tail_is_the_last_lines_of_the_newest_files_within_bounds() {
        let dir = tempfile::tempdir().expect("dir");
        let line = |day: &str, i: usize| {
            format!("2026-11-{day}T10:00:00.000001Z  INFO ringback: line {i}\n")
        };
        std::fs::write(
            dir.path().join("ringback.2026-11-01.log"),
            (0..5).map(|i| line("01", i)).collect::<String>(),
        )
        .expect("write");
        std::fs::write(
            dir.path().join("ringback.2026-11-02.log"),
            (5..8).map(|i| line("02", i)).collect::<String>() + &"x".repeat(2_000),
        )
        .expect("write");
        let tail = log_tail(dir.path(), 6).expect("tail");
        assert_eq!(tail.len(), 6, "{tail:?}");
        assert!(tail[0].ends_with("line 3"), "{tail:?}");
        assert!(tail[4].ends_with("line 7"), "{tail:?}");
        // The unfinished last line (a continuation of line 7) is cut to a readable length.
        assert_eq!(tail[5].chars().count(), MAX_LINE_CHARS + 1, "{tail:?}");
        // A huge file is read from its end only.
        std::fs::write(
            dir.path().join("ringback.2026-11-03.log"),
            (0..20_000).map(|i| line("03", i)).collect::<String>(),
        )
        .expect("write");
        let tail = log_tail(dir.path(), TAIL_LINES).expect("tail");
        assert_eq!(tail.len(), TAIL_LINES);
        assert!(tail[TAIL_LINES - 1].ends_with("line 19999"), "{tail:?}");
        assert!(log_tail(&dir.path().join("missing"), 10).is_err());
    }

    #[test]
    fn a_phone_line_names_the_link_its_relay_rtt_and_since_when() {
        let since = Timestamp::from_millisecond(1_793_000_000_000).expect("time");
        let row = |link, relay: Option<&str>, rtt_ms| PeerRow {
            endpoint: "ep".into(),
            name: "Shop phone".into(),
            fingerprint: "ABCD-EFGH".into(),
            link,
            relay: relay.map(str::to_string),
            rtt_ms,
            since_ms: Some(since.as_millisecond()),
            offline_since_ms: None,
            last_sync_ms: None,
            health: None,
        };
        let at = words(since);
        let line = phone_line(&row(LinkState::Relay, Some("relay.example.com"), Some(84)));
        assert!(
            line.contains(&format!(
                "connected (relay relay.example.com, 84 ms) since {at}"
            )),
            "{line}"
        );
        let line = phone_line(&row(LinkState::Lan, None, Some(3)));
        assert!(
            line.contains(&format!(
                "connected (direct on this network, 3 ms) since {at}"
            )),
            "{line}"
        );
        let line = phone_line(&row(LinkState::Direct, None, None));
        assert!(
            line.contains(&format!("connected (direct over the internet) since {at}")),
            "{line}"
        );
    }
}
