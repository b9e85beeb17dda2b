//! The desktop's logs: a file in the app's log folder, a new one each day and the last
//! [`KEEP`] kept, so a windowed app's logs reach someone (Devices → Copy diagnostics reads
//! them); and stderr when a terminal is attached. Phone numbers are masked on the way out,
//! whoever wrote the line, so neither the file nor anything copied from it holds one.

use std::borrow::Cow;
use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Log files are `ringback.YYYY-MM-DD.log` (the date in UTC).
pub const FILE_PREFIX: &str = "ringback";
/// The log files' extension.
pub const FILE_SUFFIX: &str = "log";
/// How many daily files are kept; older ones are deleted when a new day starts.
pub const KEEP: usize = 7;

/// Why the log file could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The folder could not be made or written.
    #[error("the log folder {0} could not be used ({1}); check that it is writable")]
    Folder(PathBuf, String),
    /// Logging was set up already (it is set up once, at start).
    #[error("logging was already set up")]
    AlreadySet,
}

/// The folder the running app logs to, once it is set up.
static FOLDER: OnceLock<PathBuf> = OnceLock::new();
/// Whether the running app's logs go to stderr.
static TO_STDERR: AtomicBool = AtomicBool::new(false);

/// Where the logs go: `<data>/logs` when the data folder was given (`--data`, demo mode
/// with `scripts/run`), else the system's log folder for the app (Tauri's app log dir).
pub fn folder_for(
    data: Option<&Path>,
    app_log_dir: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    match data {
        Some(data) => Some(data.join("logs")),
        None => app_log_dir(),
    }
}

/// The level: `RUST_LOG` when set and valid, else `info`.
pub fn filter_from_env() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"))
}

/// The daily log file appender in `folder` (made, readable by the owner only).
pub fn appender(folder: &Path) -> Result<RollingFileAppender, LogError> {
    let failed = |e: &dyn std::fmt::Display| LogError::Folder(folder.to_path_buf(), e.to_string());
    make_private_dir(folder).map_err(|e| failed(&e))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEEP)
        .build(folder)
        .map_err(|e| failed(&e))
}

/// The subscriber the app runs with: `filter`, the file in `folder` (`None`: no file), and
/// stderr when `stderr` is true. Every line has its phone numbers masked.
pub fn subscriber(
    folder: Option<&Path>,
    filter: EnvFilter,
    stderr: bool,
) -> Result<impl tracing::Subscriber + Send + Sync + 'static, LogError> {
    let file = folder.map(appender).transpose()?.map(|appender| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(Masked(appender))
    });
    let stderr = stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(Masked(std::io::stderr))
    });
    Ok(tracing_subscriber::registry()
        .with(filter)
        .with(file)
        .with(stderr))
}

/// Sets up the app's logging once, at start: the file in `folder` and stderr when a
/// terminal is attached. Without a folder, or when the file cannot be made, stderr is the
/// only place, and the first line says why. The level comes from `RUST_LOG`, else `info`.
pub fn init(folder: Option<&Path>) -> Result<(), LogError> {
    let terminal = std::io::stderr().is_terminal();
    let (subscriber, problem) =
        match folder.map(|f| subscriber(Some(f), filter_from_env(), terminal)) {
            Some(Ok(s)) => (s, None),
            Some(Err(e)) => (
                subscriber(None, filter_from_env(), true)?,
                Some(e.to_string()),
            ),
            None => (
                subscriber(None, filter_from_env(), true)?,
                Some("the system names no log folder for the app".to_string()),
            ),
        };
    subscriber.try_init().map_err(|_| LogError::AlreadySet)?;
    // A panic (Tauri turns a failed start into one) is logged too: a windowed app's stderr
    // reaches no one. The default hook still prints it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("{info}");
        default_hook(info);
    }));
    match (problem, folder) {
        (Some(problem), _) => {
            TO_STDERR.store(true, Ordering::Relaxed);
            tracing::warn!("{problem}; logging to stderr only");
        }
        (None, Some(folder)) => {
            TO_STDERR.store(terminal, Ordering::Relaxed);
            let _ = FOLDER.set(folder.to_path_buf());
        }
        (None, None) => {}
    }
    Ok(())
}

/// Whether the logs go to stderr too (so a message printed there would be printed twice).
pub fn writes_to_stderr() -> bool {
    TO_STDERR.load(Ordering::Relaxed)
}

/// Whether [`init`] set up logging (else lines go nowhere yet).
pub fn is_set_up() -> bool {
    tracing::dispatcher::has_been_set()
}

/// The folder the running app writes its log files to, if it has one.
pub fn folder() -> Option<&'static Path> {
    FOLDER.get().map(PathBuf::as_path)
}

#[cfg(unix)]
fn make_private_dir(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    // A folder made by an earlier version keeps its mode: the logs are the owner's only.
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn make_private_dir(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)
}

/// A writer maker whose writers mask phone numbers: each collects one formatted line and
/// writes it masked when dropped.
pub struct Masked<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Masked<M> {
    type Writer = MaskedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        MaskedWriter {
            inner: self.0.make_writer(),
            line: Vec::new(),
        }
    }
}

/// One line on its way out (see [`Masked`]).
pub struct MaskedWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> MaskedWriter<W> {
    fn write_out(&mut self) -> std::io::Result<()> {
        if self.line.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.line);
        let masked = mask_numbers(&text);
        self.inner.write_all(masked.as_bytes())?;
        self.line.clear();
        self.inner.flush()
    }
}

impl<W: Write> Write for MaskedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.write_out()
    }
}

impl<W: Write> Drop for MaskedWriter<W> {
    fn drop(&mut self) {
        // A log line that cannot be written has nowhere else to go.
        let _ = self.write_out();
    }
}

/// The fewest digits that make a run of digits a phone number to mask (a local number
/// without its area code has seven).
const MIN_DIGITS: usize = 7;
/// What stands for a masked digit.
const MASK: char = '•';

/// `text` with every phone number in it masked: in a run of at least seven digits, written
/// together or with spaces, dashes, dots or brackets between them (`+12125550142`, `(212)
/// 555-0142`), every digit but the last two becomes `•`. Runs glued to letters (ids,
/// hashes, `…Z` timestamps), dates (`2026-11-02`) and IPv4 addresses are left alone. A
/// long count or a Unix time in milliseconds is masked too: a number is masked when in
/// doubt.
pub fn mask_numbers(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Option<String> = None;
    let mut copied = 0; // chars of `text` already in `out`
    let mut i = 0;
    while i < chars.len() {
        if !glued_left(&chars, i) && starts_with_date(&chars[i..]) {
            // A date is no number, even with a time after it (`2026-11-02 14:02`).
            i += DATE_LEN;
            continue;
        }
        let Some(end) = number_at(&chars, i) else {
            i += 1;
            continue;
        };
        let span = &chars[i..end];
        let digits = span.iter().filter(|c| c.is_ascii_digit()).count();
        let glued = glued_left(&chars, i) || chars.get(end).is_some_and(|&c| is_glue(c));
        if digits >= MIN_DIGITS && !glued && !is_ipv4(span) {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.extend(&chars[copied..i]);
            let mut left = digits;
            for &c in span {
                if c.is_ascii_digit() {
                    out.push(if left > 2 { MASK } else { c });
                    left -= 1;
                } else {
                    out.push(c);
                }
            }
            copied = end;
        }
        i = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.extend(&chars[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Where a number-like run that starts at `i` ends: a `+` or `(` before a digit, or a
/// digit, then digits with at most two separators between them.
fn number_at(chars: &[char], i: usize) -> Option<usize> {
    let starts = match chars[i] {
        '+' | '(' => chars.get(i + 1).is_some_and(char::is_ascii_digit),
        c => c.is_ascii_digit(),
    };
    if !starts {
        return None;
    }
    let mut end = i + 1;
    let mut j = i + 1;
    while j < chars.len() {
        if chars[j].is_ascii_digit() {
            j += 1;
            end = j;
            continue;
        }
        // Up to two separators (") ", " -") between digits.
        let mut k = j;
        while k < chars.len() && k - j < 2 && matches!(chars[k], ' ' | '-' | '.' | '(' | ')') {
            k += 1;
        }
        if k > j && chars.get(k).is_some_and(char::is_ascii_digit) {
            j = k;
        } else {
            break;
        }
    }
    Some(end)
}

fn is_glue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether the char before `i` joins the run to a word (an ANSI colour code in between,
/// `ESC[…m`, does not count as a letter).
fn glued_left(chars: &[char], i: usize) -> bool {
    let mut j = i;
    while j > 0 {
        let c = chars[j - 1];
        if c == 'm' {
            // Skip back over an escape sequence ending here.
            if let Some(start) = (0..j - 1).rev().find(|&k| chars[k] == '\u{1b}')
                && chars[start + 1..j - 1]
                    .iter()
                    .all(|c| *c == '[' || *c == ';' || c.is_ascii_digit())
            {
                j = start;
                continue;
            }
        }
        return is_glue(c);
    }
    false
}

/// `YYYY-MM-DD`'s length.
const DATE_LEN: usize = 10;

/// Whether `chars` start with a date, `YYYY-MM-DD`, that is not part of a longer number.
fn starts_with_date(chars: &[char]) -> bool {
    let Some(date) = chars.get(..DATE_LEN) else {
        return false;
    };
    let shape_ok = date.iter().enumerate().all(|(k, c)| {
        if k == 4 || k == 7 {
            *c == '-'
        } else {
            c.is_ascii_digit()
        }
    });
    shape_ok
        && !chars
            .get(DATE_LEN)
            .is_some_and(|c| c.is_ascii_digit() || *c == '-')
}

fn is_ipv4(span: &[char]) -> bool {
    let s: String = span.iter().collect();
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_masked_and_dates_times_ids_and_addresses_are_not() {
        for (raw, masked) in [
            ("to=+12125550142 sent", "to=+•••••••••42 sent"),
            ("from (212) 555-0142.", "from (•••) •••-••42."),
            ("caller 212.555.0142", "caller •••.•••.••42"),
            ("+44 20 7946 0958", "+•• •• •••• ••58"),
            ("local 5550142", "local •••••42"),
            (
                "\u{1b}[3mnumber\u{1b}[0m\u{1b}[2m=\u{1b}[0m+12125550142",
                "\u{1b}[3mnumber\u{1b}[0m\u{1b}[2m=\u{1b}[0m+•••••••••42",
            ),
            ("since_ms=1800000000000", "since_ms=•••••••••••00"),
            ("2026-11-02 +12125550142", "2026-11-02 +•••••••••42"),
            ("ref 2026-11-02-5550142", "ref ••••-••-••-•••••42"),
        ] {
            assert_eq!(mask_numbers(raw), masked, "{raw}");
        }
        for kept in [
            "2026-11-02T14:02:30.123456Z  INFO ringback_desktop: started",
            "day 2026-11-02 at 14:02",
            "last received 2026-11-02 21:28:21 UTC",
            "bound 192.168.1.20:47617",
            "endpoint 3f9a12345678b0c1 fingerprint K7QD-M2XA-PL4F",
            "applied 123456 ops, version 0.1.0",
            "",
        ] {
            assert!(
                matches!(mask_numbers(kept), Cow::Borrowed(_)),
                "{kept} is left alone"
            );
        }
    }

    #[test]
    fn the_log_file_is_written_in_the_folder_given_with_numbers_masked() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("logs");
        let day = || jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
        let before = day();
        let subscriber = subscriber(Some(&folder), EnvFilter::new("info"), false).expect("set up");
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(to = "+12125550142", "a text-back left");
            tracing::debug!("below the level");
        });
        let files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .expect("the folder is made")
            .map(|e| e.expect("entry").path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().and_then(|n| n.to_str()).expect("name");
        // The file is named for the day (UTC) it was opened, even across midnight.
        assert!(
            [before, day()]
                .iter()
                .any(|d| name == format!("ringback.{d}.log")),
            "{name}"
        );
        let text = std::fs::read_to_string(&files[0]).expect("read");
        assert!(
            text.contains("INFO") && text.contains("a text-back left"),
            "{text}"
        );
        assert!(text.contains("+•••••••••42"), "{text}");
        assert!(!text.contains("2125550142"), "{text}");
        assert!(!text.contains("below the level"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&folder)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the log folder is the owner's only: {mode:o}"
            );
        }
    }

    #[test]
    fn the_log_folder_is_beside_the_data_when_one_is_given() {
        let data = Path::new("/tmp/ringback-data");
        assert_eq!(
            folder_for(Some(data), || Some(PathBuf::from("/elsewhere"))),
            Some(data.join("logs"))
        );
        assert_eq!(
            folder_for(None, || Some(PathBuf::from("/app/logs"))),
            Some(PathBuf::from("/app/logs"))
        );
    }
}
