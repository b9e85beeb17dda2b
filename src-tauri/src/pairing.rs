//! The devices screen: the pairing ticket as a QR code and as text, and the paired phones.

use qrcode::QrCode;
use qrcode::render::svg;

use crate::desktop::Desktop;
use crate::ipc::Devices;

/// The devices screen, with the current ticket (a new one when `fresh`).
pub fn devices(desktop: &Desktop, fresh: bool) -> Devices {
    let ticket = desktop.ticket(fresh);
    let payload = ticket.to_qr_payload();
    let (config, restart_needed) = desktop.config();
    Devices {
        qr_svg: qr_svg(&payload),
        short_code: ticket.to_short_text(),
        expires_ms: ticket.expires_at_ms,
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
