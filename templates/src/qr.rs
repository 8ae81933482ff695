//! A QR code drawn on the server as SVG (no script, no image request): the authenticator's
//! `otpauth://` address, to scan from the screen.

use maud::{Markup, PreEscaped, html};
use qrcodegen::{QrCode, QrCodeEcc};

/// `text` as a QR code of dark squares on a light quiet zone, scaled by CSS; `label` names it
/// for screen readers. Nothing when the text is too long for a QR code.
pub fn svg(text: &str, label: &str) -> Markup {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return html! {};
    };
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (size) " " (size) } role="img" aria-label=(label)
            width="200" height="200" shape-rendering="crispEdges" {
            rect width="100%" height="100%" fill="#ffffff" {}
            (PreEscaped(format!("<path d=\"{path}\" fill=\"#000000\"/>")))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_address_becomes_a_square_of_modules_with_a_quiet_zone() {
        let svg = super::svg("otpauth://totp/Pumpurs:anna@example.lv?secret=ABC&issuer=Pumpurs", "QR").into_string();
        assert!(svg.starts_with("<svg class=\"qr\""), "{svg}");
        assert!(
            svg.contains("viewBox=\"0 0 ") && svg.contains("M4,4h1v1h-1z"),
            "the finder pattern's corner at the quiet zone"
        );
        assert!(super::svg(&"x".repeat(5000), "QR").into_string().is_empty());
    }
}
