//! SMS encoding and segment counts: GSM 03.38 (7-bit, extension characters count twice)
//! or UCS-2, and how many segments a text takes (160/153 or 70/67 units).

use serde::Serialize;

/// How a text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The GSM 7-bit default alphabet.
    Gsm7,
    /// UTF-16 code units.
    Ucs2,
}

/// The size of a text as the network counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SegmentCount {
    /// The encoding the whole text needs.
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Segments the text is sent as (0 for an empty text).
    pub segments: usize,
    /// Units a segment holds at this length (160/153 or 70/67).
    pub per_segment: usize,
    /// Units still free in the last segment.
    pub remaining: usize,
}

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

fn gsm_septets(c: char) -> Option<usize> {
    if c.is_ascii() && GSM_BASIC_ASCII[c as usize] {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else if !c.is_ascii() && GSM_BASIC.contains(c) {
        Some(1)
    } else {
        None
    }
}

/// ASCII members of the basic table, for the common case.
static GSM_BASIC_ASCII: [bool; 128] = {
    let mut table = [false; 128];
    let bytes = GSM_BASIC.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] < 128 {
            table[bytes[i] as usize] = true;
        }
        i += 1;
    }
    table
};

/// Whether the whole text fits the GSM 7-bit alphabet.
pub fn is_gsm7(text: &str) -> bool {
    text.chars().all(|c| gsm_septets(c).is_some())
}

/// Counts the segments `text` is sent as. Multipart segments never split an extension
/// character's escape pair or a UTF-16 surrogate pair, as phones do.
pub fn count(text: &str) -> SegmentCount {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm_septets).collect();
    let (encoding, sizes, single, multi) = match gsm {
        Some(sizes) => (Encoding::Gsm7, sizes, 160, 153),
        None => (
            Encoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
            70,
            67,
        ),
    };
    let units: usize = sizes.iter().sum();
    if units == 0 {
        return SegmentCount {
            encoding,
            units,
            segments: 0,
            per_segment: single,
            remaining: single,
        };
    }
    if units <= single {
        return SegmentCount {
            encoding,
            units,
            segments: 1,
            per_segment: single,
            remaining: single - units,
        };
    }
    let mut segments = 1;
    let mut used = 0;
    for size in sizes {
        if used + size > multi {
            segments += 1;
            used = 0;
        }
        used += size;
    }
    SegmentCount {
        encoding,
        units,
        segments,
        per_segment: multi,
        remaining: multi - used,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn seg(text: &str) -> (Encoding, usize, usize) {
        let c = count(text);
        (c.encoding, c.units, c.segments)
    }

    #[test]
    fn reference_table() {
        use Encoding::*;
        let a = |n: usize| "a".repeat(n);
        let cases: Vec<(String, (Encoding, usize, usize))> = vec![
            (String::new(), (Gsm7, 0, 0)),
            ("Hello".into(), (Gsm7, 5, 1)),
            (a(160), (Gsm7, 160, 1)),
            (a(161), (Gsm7, 161, 2)),
            (a(306), (Gsm7, 306, 2)),
            (a(307), (Gsm7, 307, 3)),
            (a(459), (Gsm7, 459, 3)),
            (a(460), (Gsm7, 460, 4)),
            ("€".into(), (Gsm7, 2, 1)),
            ("{}[]".into(), (Gsm7, 8, 1)),
            (format!("{}€", a(158)), (Gsm7, 160, 1)),
            (format!("{}€", a(159)), (Gsm7, 161, 2)),
            // The escape pair may not straddle: 152 + € does not fit 153, so it moves on.
            (format!("{}€{}", a(152), a(10)), (Gsm7, 164, 2)),
            (format!("{}€{}", a(152), a(152)), (Gsm7, 306, 3)),
            ("Ça coûte 10 €?".into(), (Ucs2, 14, 1)),
            ("Café à 5 £, ñ ü Ø".into(), (Gsm7, 17, 1)),
            ("Привет".into(), (Ucs2, 6, 1)),
            (format!("{}Ж", a(69)), (Ucs2, 70, 1)),
            (format!("{}Ж", a(70)), (Ucs2, 71, 2)),
            (format!("{}Ж", a(133)), (Ucs2, 134, 2)),
            (format!("{}Ж", a(134)), (Ucs2, 135, 3)),
            ("💧".into(), (Ucs2, 2, 1)),
            ("💧".repeat(35), (Ucs2, 70, 1)),
            ("💧".repeat(36), (Ucs2, 72, 2)),
            // 66 units then an emoji: the pair cannot split at 67, so it opens segment 2.
            (
                format!("{}💧{}", "Ж".repeat(66), "Ж".repeat(10)),
                (Ucs2, 78, 2),
            ),
            (
                format!("{}💧{}", "Ж".repeat(66), "Ж".repeat(66)),
                (Ucs2, 134, 3),
            ),
            ("line\nbreak\r".into(), (Gsm7, 11, 1)),
            ("tab\there".into(), (Ucs2, 8, 1)),
            ("`".into(), (Ucs2, 1, 1)),
        ];
        for (text, expected) in cases {
            assert_eq!(seg(&text), expected, "{text:?}");
        }
        assert!(is_gsm7("@£$¥ ÄÖÑÜ§¿äöñüà"));
        assert!(
            !is_gsm7("ç"),
            "lower-case c-cedilla is not in the basic table"
        );
    }

    fn gsm_basic_char() -> impl Strategy<Value = char> {
        prop::sample::select(GSM_BASIC.chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn gsm_basic_lengths(chars in prop::collection::vec(gsm_basic_char(), 0..700)) {
            let text: String = chars.iter().collect();
            let n = chars.len();
            let c = count(&text);
            prop_assert_eq!(c.encoding, Encoding::Gsm7);
            prop_assert_eq!(c.units, n);
            let expected = if n == 0 { 0 } else if n <= 160 { 1 } else { n.div_ceil(153) };
            prop_assert_eq!(c.segments, expected);
            if n > 0 {
                prop_assert_eq!(c.per_segment * (c.segments - 1) + (c.per_segment - c.remaining), n);
            }
        }

        #[test]
        fn ucs2_bmp_lengths(chars in prop::collection::vec(prop::char::range('Ѐ', 'ӿ'), 1..400)) {
            let text: String = chars.iter().collect();
            let n = chars.len();
            let c = count(&text);
            prop_assert_eq!(c.encoding, Encoding::Ucs2);
            let expected = if n <= 70 { 1 } else { n.div_ceil(67) };
            prop_assert_eq!(c.segments, expected);
        }

        #[test]
        fn never_panics(text in "\\PC{0,400}") {
            let c = count(&text);
            prop_assert!(c.remaining <= c.per_segment);
        }
    }
}
