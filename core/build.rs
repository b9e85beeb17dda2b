//! Rebuilds the crate when a migration is added or edited: `include_dir!` embeds the
//! `migrations/` folder at compile time, and cargo does not watch that folder on its own.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
