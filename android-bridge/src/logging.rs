//! The phone's logs: `tracing` to logcat on Android (a native library's stderr goes nowhere
//! there), to stderr elsewhere (the simulator, the host tests). Installed once per process
//! by the first of `NativeInit.init` and `Bridge.start` ([`install`]).
//!
//! Info by default: what the phone did and why, never a message body or a whole phone
//! number (core logs numbers masked, "+1•••••••23", and bodies not at all). `RINGBACK_LOG`
//! takes an `EnvFilter` directive (`debug`, `ringback_core=debug,iroh=warn`) where the
//! environment can be set; one that does not parse is reported and the default kept.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// The logcat tag. The Kotlin shell logs under the same one, so `adb logcat -s Ringback`
/// shows both halves of the app.
pub const TAG: &str = "Ringback";
/// The environment variable with the filter directives.
pub const FILTER_ENV: &str = "RINGBACK_LOG";
/// The filter when none is set.
pub const DEFAULT_FILTER: &str = "info";

/// What [`install`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// This call installed the logs.
    Now,
    /// They were installed before (an earlier call, or the program that hosts the library).
    Already,
}

/// Installs the phone's logs for the whole process: logcat on Android, stderr elsewhere,
/// filtered by `RINGBACK_LOG` or at info. Later calls change nothing.
pub fn install() -> Installed {
    let directives = std::env::var(FILTER_ENV).ok();
    let (filter, problem) = filter(directives.as_deref());
    #[cfg(target_os = "android")]
    let installed = install_with(
        filter,
        paranoid_android::AndroidLogMakeWriter::new(TAG.to_owned()),
        true,
    );
    #[cfg(not(target_os = "android"))]
    let installed = install_with(filter, std::io::stderr, false);
    if let (Installed::Now, Some(problem)) = (installed, problem) {
        tracing::warn!("{problem}");
    }
    installed
}

/// [`install`] with its parts given: what the host tests run, with a writer they can read,
/// since logcat itself cannot run there.
#[doc(hidden)]
pub fn install_with<W>(filter: EnvFilter, writer: W, logcat: bool) -> Installed
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // Also routes the `log` records of dependencies that use that crate.
    match subscriber(filter, writer, logcat).try_init() {
        Ok(()) => {
            log_panics();
            Installed::Now
        }
        Err(_) => Installed::Already,
    }
}

/// The filter for `directives` (`RINGBACK_LOG`'s value): [`DEFAULT_FILTER`] when there are
/// none, and when they do not parse, with the words that say so.
pub fn filter(directives: Option<&str>) -> (EnvFilter, Option<String>) {
    match directives.map(str::trim).filter(|d| !d.is_empty()) {
        None => (EnvFilter::new(DEFAULT_FILTER), None),
        Some(directives) => match EnvFilter::try_new(directives) {
            Ok(filter) => (filter, None),
            Err(e) => (
                EnvFilter::new(DEFAULT_FILTER),
                Some(format!(
                    "{FILTER_ENV}=“{}” is not a log filter ({e}); logging at {DEFAULT_FILTER}",
                    directives.chars().take(80).collect::<String>()
                )),
            ),
        },
    }
}

/// `filter` over a formatter writing to `writer`. For logcat, without the time, the level
/// and colours: logcat stamps each line with its own time and priority (the writer maps
/// the level to it), and shows escape codes raw.
pub fn subscriber<W>(
    filter: EnvFilter,
    writer: W,
    logcat: bool,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let format = tracing_subscriber::fmt::layer().with_writer(writer);
    let layer = if logcat {
        format
            .with_ansi(false)
            .with_level(false)
            .without_time()
            .with_filter(filter)
            .boxed()
    } else {
        format.with_filter(filter).boxed()
    };
    Registry::default().with(layer)
}

/// Sends panics to the log too: a panic in a background task (the engine, sync) otherwise
/// only reaches stderr. Where it happened at error; the message at debug only, since a
/// panic message may quote the data it choked on.
fn log_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%at, "Ringback hit a bug (a panic); what it was doing failed");
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::debug!(%at, %message, "panic");
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use tracing::level_filters::LevelFilter;

    use super::*;

    #[test]
    fn info_unless_told_otherwise() {
        let (default, problem) = filter(None);
        assert_eq!(default.max_level_hint(), Some(LevelFilter::INFO));
        assert_eq!(problem, None);
        assert_eq!(
            filter(Some("  ")).0.max_level_hint(),
            Some(LevelFilter::INFO)
        );
        assert_eq!(
            filter(Some("debug")).0.max_level_hint(),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(
            filter(Some("ringback_core=trace,iroh=warn"))
                .0
                .max_level_hint(),
            Some(LevelFilter::TRACE)
        );
    }

    #[test]
    fn a_filter_that_does_not_parse_keeps_info_and_says_so() {
        let (filter, problem) = filter(Some("ringback_core=loud"));
        assert_eq!(filter.max_level_hint(), Some(LevelFilter::INFO));
        let problem = problem.expect("the words");
        assert!(
            problem.contains("RINGBACK_LOG") && problem.contains("ringback_core=loud"),
            "{problem}"
        );
    }
}
