//! `ui/src/bindings.ts` is generated from the Rust commands and types; this fails when the
//! committed file is stale. `UPDATE_BINDINGS=1 cargo test -p ringback-desktop --test
//! bindings` rewrites it.

use std::path::PathBuf;

#[test]
fn the_committed_typescript_bindings_match_the_rust_types() {
    let generated = ringback_desktop::typescript_bindings().expect("bindings generate");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    if std::env::var("UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write bindings");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p ringback-desktop --test bindings` and commit it"
    );
    // The bindings carry every command the window uses.
    for command in [
        "inboxPage",
        "thread",
        "sendReply",
        "saveSettings",
        "dryRun",
        "demoPair",
        "appointments",
        "exportAppointments",
        "assistantResume",
        "assistantTakeOver",
        "dismissDraft",
    ] {
        assert!(
            generated.contains(&format!("\t{command}: (")),
            "{command} is exported"
        );
    }
}
