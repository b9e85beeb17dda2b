//! Checks shared by the fuzz targets (`core/fuzz`) and the regression tests that replay
//! every input they ever found (`core/tests/fuzz_regressions.rs`). Each takes arbitrary
//! bytes and panics only when a promise is broken.

use jiff::Timestamp;

use crate::store::{PeerRecord, Source, Store};
use crate::sync::frame::{FrameDecoder, MAX_FRAME};
use crate::sync::op::{Op, Role};
use crate::sync::session::Message;

/// The origin the phone-side store gives its paired desktop, and the desktop's phone.
pub const DESKTOP: &str = "d";
/// The phone's origin as a desktop replica knows it.
pub const PHONE: &str = "p";

/// Frames cut at arbitrary points: the decoder never panics, never buffers much beyond one
/// frame, and stays failed after its first error.
pub fn frame_decode(data: &[u8]) {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(k % 64) + 1;
    let mut decoder = FrameDecoder::new();
    for piece in rest.chunks(chunk) {
        decoder.push(piece);
        loop {
            match decoder.next_message::<Message>() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    assert!(
                        decoder.next_message::<Message>().is_err(),
                        "a decoder that failed must stay failed"
                    );
                    return;
                }
            }
        }
        assert!(
            decoder.buffered() <= MAX_FRAME + 4 + chunk,
            "the decoder buffered {} bytes",
            decoder.buffered()
        );
    }
}

/// Ops (JSON) applied to a phone from its paired desktop and to a desktop from its phone:
/// never a panic; a refused batch leaves the store exactly as it was; applying the same
/// batch again changes nothing.
pub fn op_apply(data: &[u8]) {
    let Ok(ops) = serde_json::from_slice::<Vec<Op>>(data) else {
        return;
    };
    let now = Timestamp::from_second(1_790_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
    if let Some(mut phone) = phone_store() {
        apply_twice(&mut phone, &ops, DESKTOP, Role::Desktop, now);
    }
    if let Ok(mut desktop) = Store::open_in_memory()
        && desktop.set_phone_origin(PHONE).is_ok()
    {
        apply_twice(&mut desktop, &ops, PHONE, Role::Phone, now);
    }
}

fn phone_store() -> Option<Store> {
    let mut store = Store::open_in_memory().ok()?;
    let origin = store.origin().to_string();
    store.set_phone_origin(&origin).ok()?;
    let peer = PeerRecord {
        endpoint: "desktop-endpoint".into(),
        origin: DESKTOP.into(),
        role: Role::Desktop,
        name: "Front desk".into(),
        paired: true,
        changed_at: 0,
    };
    store
        .write(Timestamp::UNIX_EPOCH, "paired", |tx| tx.set_peer(&peer))
        .ok()?;
    Some(store)
}

fn apply_twice(store: &mut Store, ops: &[Op], origin: &str, role: Role, now: Timestamp) {
    let Ok(before) = store.digest() else { return };
    let source = Source { origin, role };
    match store.apply_remote(ops, source, now) {
        Err(_) => {
            let after = store.digest().ok();
            assert_eq!(
                after.as_deref(),
                Some(before.as_str()),
                "a refused batch changed the store"
            );
        }
        Ok(_) => {
            let Ok(once) = store.digest() else { return };
            let again = store.apply_remote(ops, source, now);
            assert!(
                again.is_ok(),
                "a batch applied once was refused the second time"
            );
            assert_eq!(
                store.digest().ok().as_deref(),
                Some(once.as_str()),
                "applying the same ops twice changed the store"
            );
        }
    }
}
