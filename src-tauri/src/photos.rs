//! The window's commands for photos: an attachment's bytes for the thread and the viewer,
//! saving one to the Downloads folder, and a photo attached to a reply (made to fit the
//! carrier's MMS size, shown before it goes, sent with the reply).
//!
//! Bytes live in the desktop's blob store for each phone (`<data>/phones/<id>/blobs`,
//! named by BLAKE3 hash), beside that phone's replica.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use ringback_core::attachment::{Attachment, AttachmentState, BlobHash};
use ringback_core::blobs::BlobStore;
use ringback_core::store::ConversationId;
use tauri::State;

use crate::commands::{Reply, refuse_if_opted_out, stored_settings};
use crate::desktop::{Desktop, SharedDesktop};
use crate::ipc::{AppError, AttachmentData, ConvKey, PreparedPhotoView, SavedFile};
use crate::photo::{self, JPEG, MAX_INPUT_BYTES};

/// The longest file name a saved attachment gets, in characters.
const MAX_SAVED_NAME: usize = 120;

/// The blob store of `phone` on this desktop (the phone must be paired).
fn blobs_of(desktop: &Desktop, phone: &str) -> Reply<Arc<BlobStore>> {
    // Only a paired phone's id names a folder: nothing the window sends becomes a path.
    desktop.phone(phone)?;
    BlobStore::open(&desktop.dir().join("phones").join(phone).join("blobs"))
        .map_err(|e| AppError::new(e.to_string()))
}

fn parse_hash(hash: &str) -> Reply<BlobHash> {
    BlobHash::from_hex(hash).map_err(|e| AppError::new(format!("{e}; reload the conversation")))
}

/// The raster formats the window may show; anything else (SVG, HTML, a file that only
/// says it is a photo) is never handed to the webview as an image.
fn shown_type(bytes: &[u8]) -> Option<&'static str> {
    match image::guess_format(bytes).ok()? {
        image::ImageFormat::Jpeg => Some("image/jpeg"),
        image::ImageFormat::Png => Some("image/png"),
        image::ImageFormat::Gif => Some("image/gif"),
        image::ImageFormat::WebP => Some("image/webp"),
        _ => None,
    }
}

fn data_url(content_type: &str, bytes: &[u8]) -> String {
    format!(
        "data:{content_type};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Reads a blob off the async threads.
async fn read_blob(blobs: Arc<BlobStore>, hash: BlobHash) -> Reply<Vec<u8>> {
    tauri::async_runtime::spawn_blocking(move || blobs.get(&hash))
        .await
        .map_err(|e| AppError::new(format!("the photo could not be read: {e}")))?
        .map_err(|e| AppError::new(e.to_string()))?
        .ok_or_else(|| {
            AppError::new(
                "This photo is not on this desktop yet; it arrives from the phone when the phone is online.",
            )
        })
}

/// A photo's (or a thumbnail's) bytes, by hash, as a `data:` URL the window shows. Only
/// pictures in a raster format are handed over.
#[tauri::command]
#[specta::specta]
pub async fn attachment_data(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    hash: String,
) -> Reply<AttachmentData> {
    attachment_data_on(&desktop, &phone, &hash).await
}

/// [`attachment_data`], on a desktop.
pub async fn attachment_data_on(
    desktop: &Desktop,
    phone: &str,
    hash: &str,
) -> Reply<AttachmentData> {
    let hash = parse_hash(hash)?;
    // Only a paired phone's id is looked up.
    let id = desktop
        .node()
        .phones()
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| id.to_string() == phone)
        .ok_or_else(|| AppError::new("That phone is not paired with this desktop."))?;
    // Held here, or fetched from the phone now (a full size is fetched on view).
    let bytes = desktop
        .node()
        .fetch_photo(&id, &hash)
        .await
        .map_err(|e| AppError::new(e.to_string()))?;
    let content_type = shown_type(&bytes).ok_or_else(|| {
        AppError::new("This attachment is not a picture the app shows; save it to open it.")
    })?;
    Ok(AttachmentData {
        content_type: content_type.to_string(),
        data_url: data_url(content_type, &bytes),
    })
}

/// Saves an attachment to the Downloads folder (or the data folder when there is none)
/// under `name`, never over another file: "leak.jpg" becomes "leak (2).jpg" when taken.
#[tauri::command]
#[specta::specta]
pub async fn save_attachment(
    app: tauri::AppHandle,
    desktop: State<'_, SharedDesktop>,
    phone: String,
    hash: String,
    name: String,
) -> Reply<SavedFile> {
    use tauri::Manager as _;
    let dir = app
        .path()
        .download_dir()
        .ok()
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| desktop.dir().to_path_buf());
    save_attachment_on(&desktop, &phone, &hash, &name, &dir).await
}

/// [`save_attachment`], into `dir`.
pub async fn save_attachment_on(
    desktop: &Desktop,
    phone: &str,
    hash: &str,
    name: &str,
    dir: &Path,
) -> Reply<SavedFile> {
    let hash = parse_hash(hash)?;
    let blobs = blobs_of(desktop, phone)?;
    let bytes = read_blob(blobs, hash).await?;
    let name = safe_file_name(name);
    let dir = dir.to_path_buf();
    let path = tauri::async_runtime::spawn_blocking(move || write_new_file(&dir, &name, &bytes))
        .await
        .map_err(|e| AppError::new(format!("the photo could not be saved: {e}")))??;
    tracing::info!("an attachment was saved to {}", path.display());
    Ok(SavedFile {
        path: path.display().to_string(),
    })
}

/// A file name from what the window asked for: no folders, no control or reserved
/// characters, not hidden, not empty, not too long.
pub fn safe_file_name(asked: &str) -> String {
    let last = asked.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let mut name: String = cleaned.chars().take(MAX_SAVED_NAME).collect();
    if name.is_empty() {
        name = "photo.jpg".into();
    }
    name
}

/// Writes `bytes` to a new file named `name` in `dir` (or "name (2).ext", …), whole or not
/// at all.
fn write_new_file(dir: &Path, name: &str, bytes: &[u8]) -> Reply<PathBuf> {
    let written = |e: std::io::Error| {
        AppError::new(format!(
            "the photo could not be saved in {}: {e}; check that the folder is writable",
            dir.display()
        ))
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem.to_string(), format!(".{ext}")),
        _ => (name.to_string(), String::new()),
    };
    let tmp = dir.join(format!(".{stem}.ringback-saving"));
    std::fs::write(&tmp, bytes).map_err(written)?;
    for n in 1..=999 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        // A hard link fails when the name is taken, so no file is ever overwritten.
        match std::fs::hard_link(&tmp, &candidate) {
            Ok(()) => {
                let _ = std::fs::remove_file(&tmp);
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(written(e));
            }
        }
    }
    let _ = std::fs::remove_file(&tmp);
    Err(AppError::new(format!(
        "{} already holds 999 files named like {name}; choose another name",
        dir.display()
    )))
}

/// Makes a photo the window read (a chosen, dropped or pasted file, base64 or a `data:`
/// URL) ready to send to `phone`: resized and compressed to its carrier's MMS size, kept in
/// the phone's blob store on this desktop. Returns the preview and the token that names it.
#[tauri::command]
#[specta::specta]
pub async fn prepare_photo(
    desktop: State<'_, SharedDesktop>,
    phone: String,
    data: String,
) -> Reply<PreparedPhotoView> {
    prepare_photo_on(&desktop, &phone, &data).await
}

/// [`prepare_photo`], on a desktop.
pub async fn prepare_photo_on(
    desktop: &Desktop,
    phone: &str,
    data: &str,
) -> Reply<PreparedPhotoView> {
    let blobs = blobs_of(desktop, phone)?;
    let limit_kb = stored_settings(desktop, phone).await?.limits.mms_max_kb;
    let encoded = data
        .split_once(";base64,")
        .map_or(data, |(_, rest)| rest)
        .trim();
    // Bounded before decoding: base64 is 4 characters for 3 bytes.
    if encoded.len() > MAX_INPUT_BYTES / 3 * 4 + 4 {
        return Err(AppError::new(
            photo::PhotoError::TooLarge {
                size_mb: (encoded.len() / 4 * 3).div_ceil(1024 * 1024),
                max_mb: MAX_INPUT_BYTES / (1024 * 1024),
            }
            .to_string(),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| AppError::new("The photo did not arrive whole; attach it again."))?;
    let (prepared, hash) = tauri::async_runtime::spawn_blocking(move || {
        let prepared =
            photo::prepare(&bytes, limit_kb).map_err(|e| AppError::new(e.to_string()))?;
        let hash = blobs
            .put(&prepared.jpeg)
            .map_err(|e| AppError::new(e.to_string()))?;
        Ok::<_, AppError>((prepared, hash))
    })
    .await
    .map_err(|e| AppError::new(format!("the photo could not be prepared: {e}")))??;
    Ok(PreparedPhotoView {
        token: hash.to_hex(),
        size: prepared.jpeg.len() as u64,
        limit: u64::from(limit_kb) * 1024,
        width: prepared.width,
        height: prepared.height,
        data_url: data_url(JPEG, &prepared.jpeg),
    })
}

/// Sends a reply with a photo prepared by [`prepare_photo`] (named by its token); the text
/// may be empty. The phone fetches the photo from this desktop and sends one MMS.
#[tauri::command]
#[specta::specta]
pub async fn send_reply_with_photo(
    desktop: State<'_, SharedDesktop>,
    key: ConvKey,
    body: String,
    photo: String,
) -> Reply<()> {
    send_reply_with_photo_on(&desktop, key, &body, &photo).await
}

/// [`send_reply_with_photo`], on a desktop.
pub async fn send_reply_with_photo_on(
    desktop: &Desktop,
    key: ConvKey,
    body: &str,
    photo: &str,
) -> Reply<()> {
    let replica = desktop.phone(&key.phone)?;
    refuse_if_opted_out(&replica, key.id).await?;
    let hash = parse_hash(photo)?;
    let blobs = blobs_of(desktop, &key.phone)?;
    let bytes = read_blob(blobs, hash).await.map_err(|_| {
        AppError::new("The attached photo is no longer on this desktop; attach it again.")
    })?;
    // The carrier's size may have been lowered since the photo was prepared.
    let limit_kb = stored_settings(desktop, &key.phone)
        .await?
        .limits
        .mms_max_kb;
    if bytes.len() as u64 > u64::from(limit_kb) * 1024 || shown_type(&bytes) != Some(JPEG) {
        return Err(AppError::new(format!(
            "The attached photo does not fit the MMS size of {limit_kb} KB now; remove it and attach it again."
        )));
    }
    let attachment = Attachment {
        content_type: JPEG.to_string(),
        size: bytes.len() as u64,
        hash: Some(hash),
        name: Some("photo.jpg".into()),
        thumbnail: None,
        state: AttachmentState::Downloaded,
    };
    let body = body.to_string();
    let r = replica.clone();
    tauri::async_runtime::spawn_blocking(move || {
        r.request_reply_with_photos(ConversationId(key.id), &body, &[attachment])
    })
    .await
    .map_err(|e| AppError::new(format!("the reply could not be queued: {e}")))??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy_png(width: u32, height: u32) -> Vec<u8> {
        let mut seed: u32 = 7;
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            image::Rgb([(x % 251) as u8, (y % 241) as u8, (seed >> 16) as u8])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        png
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_photo_is_made_to_fit_kept_for_the_phone_shown_and_saved() {
        let dir = tempfile::tempdir().expect("dir");
        let phone = iroh::SecretKey::from_bytes(&[1; 32]).public().to_string();
        let folder = dir.path().join("phones").join(&phone);
        std::fs::create_dir_all(&folder).expect("mkdir");
        drop(
            ringback_core::sync::replica::DesktopReplica::open(&folder.join("ringback.db"))
                .expect("replica"),
        );
        let desktop = Desktop::start_on(
            dir.path(),
            Some(ringback_core::sync::net::NetworkMode::Loopback),
            None,
        )
        .await
        .expect("desktop");
        let png = noisy_png(1800, 1200);
        assert!(png.len() > 300 * 1024);
        let data = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&png)
        );
        let prepared = prepare_photo_on(&desktop, &phone, &data)
            .await
            .expect("prepared");
        assert!(prepared.size <= 300 * 1024, "{}", prepared.size);
        assert_eq!(prepared.limit, 300 * 1024);
        assert!(prepared.data_url.starts_with("data:image/jpeg;base64,"));
        // Kept under its hash beside the phone's replica, where the phone fetches it.
        let hash = BlobHash::from_hex(&prepared.token).expect("a hash");
        let kept = BlobStore::open(&folder.join("blobs"))
            .expect("store")
            .get(&hash)
            .expect("read")
            .expect("kept");
        assert_eq!(kept.len() as u64, prepared.size);
        assert_eq!(BlobHash::of(&kept), hash);

        let shown = attachment_data_on(&desktop, &phone, &prepared.token)
            .await
            .expect("shown");
        assert_eq!(shown.data_url, prepared.data_url);
        let saved =
            save_attachment_on(&desktop, &phone, &prepared.token, "../leak.jpg", dir.path())
                .await
                .expect("saved");
        assert_eq!(PathBuf::from(&saved.path), dir.path().join("leak.jpg"));
        assert_eq!(std::fs::read(&saved.path).expect("read"), kept);

        // Nothing the window sends reaches another folder or an unpaired phone.
        let error = attachment_data_on(&desktop, "../../x", &prepared.token)
            .await
            .expect_err("refused");
        assert!(error.message.contains("not paired"), "{}", error.message);
        assert!(!dir.path().join("x").exists() && !dir.path().join("phones/../../x").exists());
        for (who, what) in [
            ("../../etc", prepared.token.as_str()),
            (phone.as_str(), "abc"),
            (phone.as_str(), &"0".repeat(64)),
        ] {
            assert!(
                attachment_data_on(&desktop, who, what).await.is_err(),
                "{who} {what}"
            );
        }
        let not_a_photo = format!(
            "data:text/plain;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(b"hello")
        );
        let error = prepare_photo_on(&desktop, &phone, &not_a_photo)
            .await
            .expect_err("refused");
        assert!(error.message.contains("not a photo"), "{}", error.message);
        let error = prepare_photo_on(&desktop, &phone, "%%%")
            .await
            .expect_err("refused");
        assert!(
            error.message.contains("attach it again"),
            "{}",
            error.message
        );
    }

    #[test]
    fn saved_names_have_no_folders_or_reserved_characters() {
        assert_eq!(safe_file_name("leak.jpg"), "leak.jpg");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\a:b?.jpg"), "ab.jpg");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("  "), "photo.jpg");
        assert_eq!(safe_file_name("a\u{0}\nb.png"), "ab.png");
        assert_eq!(safe_file_name(&"x".repeat(500)).chars().count(), 120);
    }

    #[test]
    fn a_saved_file_never_replaces_another() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("leak.jpg"), b"mine").expect("write");
        let first = write_new_file(dir.path(), "leak.jpg", b"photo").expect("saved");
        let second = write_new_file(dir.path(), "leak.jpg", b"photo").expect("saved");
        assert_eq!(first, dir.path().join("leak (2).jpg"));
        assert_eq!(second, dir.path().join("leak (3).jpg"));
        assert_eq!(
            std::fs::read(dir.path().join("leak.jpg")).expect("read"),
            b"mine"
        );
        assert_eq!(std::fs::read(&first).expect("read"), b"photo");
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 3);
    }

    #[test]
    fn only_raster_pictures_are_shown() {
        let mut png = Vec::new();
        image::DynamicImage::new_rgb8(2, 2)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        assert_eq!(shown_type(&png), Some("image/png"));
        assert_eq!(
            shown_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            None
        );
        assert_eq!(shown_type(b"<html><script>alert(1)</script>"), None);
    }
}
