//! The devices screen: the pairing code (only once "Pair a phone" was pressed) as a QR
//! code and as text, and the paired phones.

use qrcode::QrCode;
use qrcode::render::svg;

use crate::desktop::Desktop;
use crate::ipc::{Devices, PairingCode};

/// The devices screen, with the code that pairs now, if any.
pub fn devices(desktop: &Desktop) -> Devices {
    let pairing = desktop.pairing_code().map(|ticket| {
        let payload = ticket.to_qr_payload();
        PairingCode {
            qr_svg: qr_svg(&payload),
            short_code: ticket.to_short_text(),
            payload,
            expires_ms: ticket.expires_at_ms,
        }
    });
    let (config, restart_needed) = desktop.config();
    Devices {
        pairing,
        phones: desktop.peers(),
        network: config.network,
        relay_url: config.relay_url,
        restart_needed,
    }
}

/// An SVG QR code of `payload`, dark on light whatever the theme (scanners need contrast).
pub fn qr_svg(payload: &str) -> String {
    match QrCode::new(payload.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        // A ticket is a few hundred bytes, far under a QR code's capacity; should it ever
        // not fit, the short code still pairs.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_code_is_shown_until_pair_a_phone_and_a_new_code_voids_the_old_one() {
        let dir = tempfile::tempdir().expect("dir");
        let desktop = Desktop::start_on(
            dir.path(),
            Some(ringback_core::sync::net::NetworkMode::Loopback),
            None,
        )
        .await
        .expect("desktop");
        assert_eq!(devices(&desktop).pairing, None, "a button, not a code");
        let first = desktop.new_pairing_code();
        let shown = devices(&desktop).pairing.expect("shown after the button");
        assert_eq!(shown.short_code, first.to_short_text());
        assert!(shown.qr_svg.contains("<path"));
        let second = desktop.new_pairing_code();
        let shown = devices(&desktop).pairing.expect("the new code");
        assert_eq!(shown.short_code, second.to_short_text());
        assert_ne!(shown.short_code, first.to_short_text());
        desktop.cancel_pairing();
        assert_eq!(devices(&desktop).pairing, None, "closed");
        assert!(desktop.pairing_requests().is_empty());
        for endpoint in ["", "nonsense", &first.endpoint.to_string()] {
            let e = desktop.accept_pairing(endpoint).expect_err("nobody waits");
            assert!(e.message.contains("pair"), "{}", e.message);
            assert!(desktop.reject_pairing(endpoint).is_err());
        }
    }

    #[test]
    fn a_ticket_sized_payload_makes_an_svg_qr_code() {
        let payload = format!("ringback:pair/1/{}", "A".repeat(300));
        let svg = qr_svg(&payload);
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("<path"), "the modules are drawn");
    }
}
