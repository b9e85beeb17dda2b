//! `uniffi-bindgen`: writes the Kotlin bindings of a built `libringback_bridge`, e.g.
//! `uniffi-bindgen generate --library target/debug/libringback_bridge.so --language kotlin
//! --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
