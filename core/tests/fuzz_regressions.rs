//! Every input a fuzz target ever crashed on, and the hand-made nasty ones beside them,
//! replayed through the same checks the targets run (`ringback_core::fuzzing`). The inputs
//! live in `core/fuzz/regressions/<target>/`; `scripts/fuzz` adds each new crash there.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

/// Runs `check` on every file in `core/fuzz/regressions/<target>/` (dotfiles aside) and
/// names every one that panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let entries = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the regression inputs in {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.is_file()
                && !path
                    .file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());

    let mut failed = Vec::new();
    for file in &files {
        let data = fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        eprintln!("{target}: {}", file.display());
        if panic::catch_unwind(|| check(&data)).is_err() {
            failed.push(file.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs broke a promise:\n  {}",
        failed.len(),
        files.len(),
        failed.join("\n  ")
    );
}

#[test]
fn frame_decode() {
    replay("frame_decode", ringback_core::fuzzing::frame_decode);
}

#[test]
fn op_apply() {
    replay("op_apply", ringback_core::fuzzing::op_apply);
}
