//! Thumbnails the phone makes of a picture message's photos when the platform gave none
//! (Android's MMS provider keeps no thumbnail; the simulated phone has no decoder), so a
//! desktop's eager thumbnail fetch has a small JPEG to fetch rather than the full photo.
//!
//! Made here, in the core, behind the `thumbnails` feature, rather than by each platform:
//! one implementation serves the Android shell and the simulated phone alike and is tested
//! on the host; the decoder is memory-safe Rust, bounded in pixels and allocation, rather
//! than a jni round trip to `BitmapFactory` that the simulated phone would have to copy.
//! Without the feature (fuzz builds, the desktop) [`make`] makes none.

/// The longest side of a thumbnail, in pixels (a thread shows photos about this wide).
pub const THUMBNAIL_SIDE: u32 = 320;

/// The largest photo a thumbnail is made of, in bytes; a larger one gets none.
pub const MAX_SOURCE_BYTES: usize = 16 * 1024 * 1024;

/// The largest width or height decoded; a file claiming more gets no thumbnail.
#[cfg_attr(not(feature = "thumbnails"), allow(dead_code))]
const MAX_SIDE: u32 = 12_000;

/// The most memory one decode may take (a 24-megapixel photo in RGB is about 72 MB).
#[cfg_attr(not(feature = "thumbnails"), allow(dead_code))]
const MAX_ALLOC: u64 = 96 * 1024 * 1024;

/// Sides and JPEG qualities tried, best first, until the thumbnail fits.
#[cfg_attr(not(feature = "thumbnails"), allow(dead_code))]
const TRIES: [(u32, u8); 3] = [(THUMBNAIL_SIDE, 75), (THUMBNAIL_SIDE, 55), (160, 50)];

/// Whether a thumbnail is worth trying for `content_type` (raster images only).
pub fn wanted(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/jpg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// A JPEG thumbnail of the photo in `bytes`, at most [`THUMBNAIL_SIDE`] pixels on its
/// longest side and [`crate::attachment::MAX_THUMBNAIL_BYTES`] long, turned upright; `None` when the bytes
/// are no image this build reads, too large, or this build makes no thumbnails.
pub fn make(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.is_empty() || bytes.len() > MAX_SOURCE_BYTES {
        return None;
    }
    imp::make(bytes)
}

#[cfg(feature = "thumbnails")]
mod imp {
    use std::io::Cursor;

    use image::codecs::jpeg::JpegEncoder;
    use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

    use super::{MAX_ALLOC, MAX_SIDE, TRIES};
    use crate::attachment::MAX_THUMBNAIL_BYTES;

    pub(super) fn make(bytes: &[u8]) -> Option<Vec<u8>> {
        let image = match decode(bytes) {
            Ok(image) => image,
            Err(error) => {
                tracing::debug!(%error, "no thumbnail: the photo could not be read");
                return None;
            }
        };
        for (side, quality) in TRIES {
            let small = image.thumbnail(side, side).into_rgb8();
            let mut out = Vec::new();
            if JpegEncoder::new_with_quality(&mut out, quality)
                .encode_image(&small)
                .is_err()
            {
                return None;
            }
            if out.len() as u64 <= MAX_THUMBNAIL_BYTES {
                return Some(out);
            }
        }
        None
    }

    fn decode(bytes: &[u8]) -> Result<DynamicImage, image::ImageError> {
        let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        limits.max_alloc = Some(MAX_ALLOC);
        reader.limits(limits);
        let mut decoder = reader.into_decoder()?;
        let orientation = decoder.orientation().ok();
        let mut image = DynamicImage::from_decoder(decoder)?;
        if let Some(orientation) = orientation {
            image.apply_orientation(orientation);
        }
        Ok(image)
    }
}

#[cfg(not(feature = "thumbnails"))]
mod imp {
    pub(super) fn make(_bytes: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

#[cfg(all(test, feature = "thumbnails"))]
mod tests {
    use super::*;
    use crate::attachment::MAX_THUMBNAIL_BYTES;
    use image::{ImageFormat, RgbImage};

    fn photo(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([
                (x * 7 % 251) as u8,
                (y * 13 % 241) as u8,
                ((x ^ y) % 256) as u8,
            ])
        });
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).expect("encode");
        out.into_inner()
    }

    use std::io::Cursor;

    #[test]
    fn a_large_photo_gets_a_small_upright_jpeg_thumbnail() {
        let thumb = make(&photo(2400, 1800, ImageFormat::Jpeg)).expect("a thumbnail");
        assert!(thumb.len() as u64 <= MAX_THUMBNAIL_BYTES, "{}", thumb.len());
        assert_eq!(&thumb[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
        let back = image::load_from_memory(&thumb).expect("decodes");
        assert_eq!((back.width(), back.height()), (THUMBNAIL_SIDE, 240));
    }

    #[test]
    fn a_png_gets_one_too() {
        let thumb = make(&photo(640, 480, ImageFormat::Png)).expect("a thumbnail");
        assert_eq!(&thumb[..3], &[0xFF, 0xD8, 0xFF]);
    }

    #[test]
    fn bytes_that_are_no_image_get_none_and_no_panic() {
        assert_eq!(make(b""), None);
        assert_eq!(make(b"not a photo at all"), None);
        let mut cut = photo(640, 480, ImageFormat::Jpeg);
        cut.truncate(200);
        assert_eq!(make(&cut), None);
    }

    #[test]
    fn a_file_claiming_more_pixels_than_allowed_gets_none() {
        // A PNG header claiming 20000×20000: refused before any pixel is decoded.
        let mut png = photo(1, 1, ImageFormat::Png);
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert_eq!(make(&png), None);
    }

    #[test]
    fn only_raster_images_are_tried() {
        assert!(wanted("image/jpeg"));
        assert!(!wanted("image/svg+xml"));
        assert!(!wanted("video/mp4"));
    }
}
