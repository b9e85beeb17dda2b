//! The uniffi API the Kotlin app calls.
