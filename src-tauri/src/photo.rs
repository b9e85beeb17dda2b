//! A photo attached to a reply: decoded, turned upright, resized and re-encoded as JPEG
//! until it fits the carrier's MMS size (`limits.mms_max_kb`, 300 KB by default), so the
//! phone can send it as one MMS. Re-encoding also drops the camera's metadata (the place
//! it was taken included), which the caller has no need of.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

/// The content type of every prepared photo.
pub const JPEG: &str = "image/jpeg";

/// The largest file the window may hand over (a phone camera's photo is 2–12 MB).
pub const MAX_INPUT_BYTES: usize = 40 * 1024 * 1024;

/// The largest width or height a photo may be decoded at (a 200-megapixel sensor's side);
/// a file claiming more is refused before any pixel is read.
const MAX_SIDE: u32 = 16_384;

/// The longest side a sent photo starts from: a phone screen shows no more in a thread.
const START_SIDE: u32 = 1600;

/// Below this longest side a photo is no use to the person reading it.
const MIN_SIDE: u32 = 160;

/// The JPEG qualities tried at each size, best first.
const QUALITIES: [u8; 4] = [85, 75, 62, 50];

/// A photo ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPhoto {
    /// The JPEG's bytes, at most the limit asked for.
    pub jpeg: Vec<u8>,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

/// Why a photo could not be prepared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// The file was empty.
    #[error("The file is empty; choose a photo.")]
    Empty,
    /// The file was larger than any photo needs to be.
    #[error(
        "The file is {size_mb} MB, more than the {max_mb} MB a photo may be; choose a smaller one."
    )]
    TooLarge {
        /// Its size, in whole MB (rounded up).
        size_mb: usize,
        /// The largest allowed, in MB.
        max_mb: usize,
    },
    /// The bytes are no image format the app reads.
    #[error(
        "This file is not a photo the app can read; attach a JPEG, PNG, GIF or WebP image (an iPhone's HEIC photo can be exported as JPEG)."
    )]
    NotAPhoto,
    /// The image is larger than any camera makes.
    #[error(
        "The image is {width}×{height} pixels, more than {MAX_SIDE} on a side; choose a smaller one."
    )]
    TooManyPixels {
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
    },
    /// The image's data is damaged.
    #[error("The photo could not be read ({0}); it may be damaged. Choose another one.")]
    Damaged(String),
    /// Even small and compressed the photo does not fit.
    #[error(
        "The photo does not fit the MMS size of {limit_kb} KB even at {MIN_SIDE} pixels; raise Settings → Limits → largest MMS, or send it another way."
    )]
    CannotFit {
        /// The limit, in KB.
        limit_kb: u32,
    },
}

/// Prepares `bytes` (a photo as the person chose, dropped or pasted it) to be sent in an
/// MMS of at most `limit_kb` kilobytes (1 KB = 1,024 bytes): the largest size up to
/// 1,600 pixels on the longest side and the best quality that fit.
pub fn prepare(bytes: &[u8], limit_kb: u32) -> Result<PreparedPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(PhotoError::TooLarge {
            size_mb: bytes.len().div_ceil(1024 * 1024),
            max_mb: MAX_INPUT_BYTES / (1024 * 1024),
        });
    }
    let limit = usize::try_from(limit_kb)
        .unwrap_or(usize::MAX)
        .saturating_mul(1024);
    let image = decode(bytes)?;
    let mut side = image.width().max(image.height()).min(START_SIDE);
    loop {
        let resized = if side >= image.width().max(image.height()) {
            image.clone()
        } else {
            image.resize(side, side, image::imageops::FilterType::Triangle)
        };
        // JPEG has no transparency: a transparent background becomes white, as on paper.
        let flat = flatten_on_white(&resized);
        for quality in QUALITIES {
            let jpeg = encode(&flat, quality)?;
            if jpeg.len() <= limit {
                return Ok(PreparedPhoto {
                    jpeg,
                    width: flat.width(),
                    height: flat.height(),
                });
            }
        }
        if side <= MIN_SIDE {
            return Err(PhotoError::CannotFit { limit_kb });
        }
        side = (side * 3 / 4).max(MIN_SIDE);
    }
}

/// Decodes with bounds on size and memory, and turns the photo as the camera said it was
/// held (the EXIF orientation).
fn decode(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Damaged(e.to_string()))?;
    if reader.format().is_none() {
        return Err(PhotoError::NotAPhoto);
    }
    let (width, height) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Damaged(e.to_string()))?
        .into_dimensions()
        .map_err(read_error)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(1024 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(read_error)?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(read_error)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Ok(image)
}

fn read_error(error: image::ImageError) -> PhotoError {
    match error {
        image::ImageError::Unsupported(_) => PhotoError::NotAPhoto,
        image::ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: MAX_SIDE + 1,
            height: MAX_SIDE + 1,
        },
        other => PhotoError::Damaged(other.to_string()),
    }
}

/// The image as RGB, any transparency laid over white.
fn flatten_on_white(image: &DynamicImage) -> image::RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            u8::try_from(c / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn encode(image: &image::RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|e| PhotoError::Damaged(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A noisy photo-like image (noise compresses badly, as a real photo does).
    fn noisy(width: u32, height: u32) -> DynamicImage {
        let mut seed: u32 = 0x9E37_79B9;
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let n = (seed & 0x3F) as u8;
            image::Rgb([
                (x % 256) as u8 / 2 + n,
                (y % 256) as u8 / 2 + n,
                128u8.wrapping_add(n),
            ])
        });
        DynamicImage::ImageRgb8(image)
    }

    fn png_of(image: &DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("encode a test PNG");
        out.into_inner()
    }

    #[test]
    fn a_large_photo_fits_the_limit_as_a_jpeg() {
        let png = png_of(&noisy(2400, 1800));
        assert!(
            png.len() > 300 * 1024,
            "the test photo starts over the limit"
        );
        let photo = prepare(&png, 300).expect("prepared");
        assert!(photo.jpeg.len() <= 300 * 1024, "{} bytes", photo.jpeg.len());
        assert!(photo.width <= START_SIDE && photo.height <= START_SIDE);
        // The shape is kept.
        assert_eq!(photo.width * 3, photo.height * 4);
        let back = image::load_from_memory(&photo.jpeg).expect("a readable JPEG");
        assert_eq!(
            image::guess_format(&photo.jpeg).ok(),
            Some(image::ImageFormat::Jpeg)
        );
        assert_eq!((back.width(), back.height()), (photo.width, photo.height));
    }

    #[test]
    fn a_tight_limit_shrinks_the_photo_further() {
        let png = png_of(&noisy(1200, 900));
        let roomy = prepare(&png, 1000).expect("prepared");
        let tight = prepare(&png, 40).expect("prepared");
        assert!(tight.jpeg.len() <= 40 * 1024);
        assert!(
            tight.width < roomy.width,
            "{} < {}",
            tight.width,
            roomy.width
        );
    }

    #[test]
    fn a_small_photo_is_not_enlarged() {
        let png = png_of(&noisy(320, 200));
        let photo = prepare(&png, 300).expect("prepared");
        assert_eq!((photo.width, photo.height), (320, 200));
    }

    #[test]
    fn transparency_becomes_white() {
        let clear = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            40,
            40,
            image::Rgba([0, 0, 0, 0]),
        ));
        let photo = prepare(&png_of(&clear), 300).expect("prepared");
        let back = image::load_from_memory(&photo.jpeg)
            .expect("readable")
            .to_rgb8();
        let image::Rgb([r, g, b]) = *back.get_pixel(20, 20);
        assert!(r > 245 && g > 245 && b > 245, "{r} {g} {b}");
    }

    #[test]
    fn what_is_not_a_photo_is_refused_in_words() {
        assert_eq!(prepare(b"", 300), Err(PhotoError::Empty));
        assert_eq!(
            prepare(b"hello, this is a text file", 300),
            Err(PhotoError::NotAPhoto)
        );
        let mut png = png_of(&noisy(64, 64));
        png.truncate(png.len() / 2);
        assert!(matches!(prepare(&png, 300), Err(PhotoError::Damaged(_))));
        let words = PhotoError::NotAPhoto.to_string();
        assert!(words.contains("JPEG"), "{words}");
    }

    #[test]
    fn a_file_over_the_input_cap_is_refused_unread() {
        let big = vec![0u8; MAX_INPUT_BYTES + 1];
        assert_eq!(
            prepare(&big, 300),
            Err(PhotoError::TooLarge {
                size_mb: 41,
                max_mb: 40
            })
        );
    }

    #[test]
    fn a_header_claiming_huge_dimensions_is_refused_before_decoding() {
        // A valid PNG header for 100,000 × 100,000 pixels (a decompression bomb's shape)
        // with no pixel data behind it.
        let mut png = png_of(&noisy(1, 1));
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // The header's checksum is recomputed so the decoder reads the dimensions.
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            prepare(&png, 300),
            Err(PhotoError::TooManyPixels {
                width: 100_000,
                height: 100_000
            })
        );
    }

    #[test]
    fn a_limit_nothing_fits_is_said() {
        let png = png_of(&noisy(800, 800));
        assert_eq!(prepare(&png, 1), Err(PhotoError::CannotFit { limit_kb: 1 }));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
