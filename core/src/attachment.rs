//! Attachments: the photos (and video, audio, contact cards) of a picture message (MMS).
//!
//! A message row keeps each attachment's metadata ([`Attachment`]: content type, size, the
//! BLAKE3 hash of its bytes, a name, a thumbnail's hash for images, and whether the phone
//! has the bytes yet). The bytes themselves live in a content-addressed blob store beside
//! the SQLite file and travel to desktops by hash (iroh-blobs), never inside ops: only
//! the metadata is synced with the message ([`crate::oplog::op::Change::Attachments`]).
//!
//! What the platform hands in ([`NewAttachment`]) and what a peer sends are bounded here
//! ([`check_new`], [`check_synced`]), so neither a phone's provider nor a peer can make the
//! store hold an unbounded list or string.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Attachments one message may carry (an MMS rarely has more than a handful of parts).
pub const MAX_ATTACHMENTS: usize = 20;
/// The largest attachment accepted, in bytes. Carriers cap a whole MMS at 300 KB to a few
/// MB; this leaves room for the largest while bounding what a blob fetch may cost.
pub const MAX_ATTACHMENT_BYTES: u64 = 16 * 1024 * 1024;
/// The largest thumbnail, in bytes (a small JPEG; desktops fetch every one eagerly).
pub const MAX_THUMBNAIL_BYTES: u64 = 64 * 1024;
/// The longest content type (RFC 6838 allows 127 characters on each side of the slash).
pub const MAX_CONTENT_TYPE: usize = 255;
/// The longest attachment name, in bytes.
pub const MAX_NAME: usize = 255;
/// The most other recipients a group message may name.
pub const MAX_OTHERS: usize = 50;

/// The BLAKE3 hash of a blob's bytes: its name in the blob store and on the wire (the same
/// hash iroh-blobs names it by). Written as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobHash([u8; 32]);

impl BlobHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> BlobHash {
        BlobHash(*blake3::hash(bytes).as_bytes())
    }

    /// From the 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> BlobHash {
        BlobHash(bytes)
    }

    /// The 32 raw bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        use std::fmt::Write;
        self.0.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// Parses 64 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<BlobHash, AttachmentError> {
        let bad = || AttachmentError::BadHash(text.chars().take(80).collect());
        if text.len() != 64 || !text.is_ascii() {
            return Err(bad());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(BlobHash(out))
    }
}

impl fmt::Debug for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobHash({})", &self.to_hex()[..12])
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for BlobHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for BlobHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BlobHash, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        BlobHash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "specta")]
impl specta::Type for BlobHash {
    fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
        <String as specta::Type>::definition(types)
    }
}

/// Whether the phone holds an attachment's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentState {
    /// The phone has the bytes (in its blob store, under the hash).
    Downloaded,
    /// The phone's default messaging app has not downloaded the picture message yet: the
    /// thread shows "picture message — not downloaded yet on the phone" until it has.
    NotDownloaded,
}

impl AttachmentState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentState::Downloaded => "downloaded",
            AttachmentState::NotDownloaded => "not_downloaded",
        }
    }

    /// Parses a stored name.
    pub fn from_name(name: &str) -> Option<AttachmentState> {
        [AttachmentState::Downloaded, AttachmentState::NotDownloaded]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A small preview of an image attachment, a blob of its own that desktops fetch eagerly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Thumbnail {
    /// The thumbnail's bytes' hash (a JPEG).
    pub hash: BlobHash,
    /// Its size in bytes, at most [`MAX_THUMBNAIL_BYTES`].
    pub size: u32,
}

/// One attachment of a message, as stored and synced: metadata only, the bytes are in the
/// blob store under `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The MIME type as the sender's phone labelled it (`image/jpeg`, `video/mp4`,
    /// `text/x-vcard`, …), lower-cased.
    pub content_type: String,
    /// Size in bytes (0 while not downloaded).
    pub size: u64,
    /// The BLAKE3 hash of the bytes; none while not downloaded.
    pub hash: Option<BlobHash>,
    /// The part's file name, when the sender gave one.
    pub name: Option<String>,
    /// A small JPEG preview, for images the phone could decode.
    pub thumbnail: Option<Thumbnail>,
    /// Whether the phone has the bytes.
    pub state: AttachmentState,
}

impl Attachment {
    /// Whether it is a picture (shown inline, previewed as "📷 Photo").
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// The placeholder a picture message gets while the default app has not downloaded it.
    pub fn not_downloaded() -> Attachment {
        Attachment {
            content_type: String::new(),
            size: 0,
            hash: None,
            name: None,
            thumbnail: None,
            state: AttachmentState::NotDownloaded,
        }
    }
}

/// Where the bytes of an attachment the platform hands in are.
#[derive(Clone, PartialEq, Eq)]
pub enum AttachmentData {
    /// In memory.
    Bytes(Vec<u8>),
    /// In a file the engine may read (and the platform removes afterwards).
    Path(PathBuf),
}

impl fmt::Debug for AttachmentData {
    /// Sizes and paths only: a photo's bytes have no place in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentData::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            AttachmentData::Path(p) => write!(f, "Path({})", p.display()),
        }
    }
}

/// An attachment as the platform hands it in with an inbound MMS (a part read from
/// `content://mms/part/ID`), or as a reply to send carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The part's MIME type.
    pub content_type: String,
    /// The part's file name (`cl`/`name`), when it has one.
    pub name: Option<String>,
    /// The bytes.
    pub data: AttachmentData,
    /// A JPEG thumbnail the platform made (Android's own decoder), for images.
    pub thumbnail: Option<Vec<u8>>,
}

/// What is wrong with an attachment or its list, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// More attachments than one message may carry.
    #[error("the message has {count} attachments; Ringback keeps at most {MAX_ATTACHMENTS}")]
    TooMany {
        /// How many it had.
        count: usize,
    },
    /// An attachment larger than Ringback keeps.
    #[error(
        "attachment {index} is {size} bytes; Ringback keeps attachments up to {MAX_ATTACHMENT_BYTES} bytes"
    )]
    TooLarge {
        /// Its position, from 1.
        index: usize,
        /// Its size.
        size: u64,
    },
    /// A thumbnail larger than a thumbnail may be.
    #[error(
        "the thumbnail of attachment {index} is {size} bytes; a thumbnail may be at most {MAX_THUMBNAIL_BYTES}"
    )]
    ThumbnailTooLarge {
        /// Its position, from 1.
        index: usize,
        /// Its size.
        size: u64,
    },
    /// A content type that is not `type/subtype`.
    #[error("attachment {index} has no usable content type ({shown:?}); expected e.g. image/jpeg")]
    BadContentType {
        /// Its position, from 1.
        index: usize,
        /// The start of what it had.
        shown: String,
    },
    /// A name too long or with control characters.
    #[error(
        "attachment {index} has a name longer than {MAX_NAME} bytes or with control characters"
    )]
    BadName {
        /// Its position, from 1.
        index: usize,
    },
    /// A downloaded attachment without a hash, or a hash on one not downloaded.
    #[error(
        "attachment {index} is marked {state} but {}", if *.has_hash { "has a hash" } else { "has no hash" }
    )]
    StateMismatch {
        /// Its position, from 1.
        index: usize,
        /// Its state's name.
        state: &'static str,
        /// Whether it had a hash.
        has_hash: bool,
    },
    /// A hash that is not 64 hex digits.
    #[error("{0:?} is not a content hash (64 hex digits)")]
    BadHash(String),
    /// Too many other recipients named.
    #[error(
        "the group message names {count} other recipients; Ringback keeps at most {MAX_OTHERS}"
    )]
    TooManyOthers {
        /// How many it named.
        count: usize,
    },
    /// The bytes could not be read from the file the platform named.
    #[error("attachment {index} could not be read from the phone's storage: {why}")]
    Unreadable {
        /// Its position, from 1.
        index: usize,
        /// The operating system's words.
        why: String,
    },
}

/// Lower-cases and checks a content type: `type/subtype` in token characters, parameters
/// (`; charset=…`) dropped.
pub fn normalize_content_type(index: usize, raw: &str) -> Result<String, AttachmentError> {
    let bare = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match bare.split_once('/') {
        Some((t, s)) if bare.len() <= MAX_CONTENT_TYPE && token(t) && token(s) => Ok(bare),
        _ => Err(AttachmentError::BadContentType {
            index,
            shown: raw.chars().take(40).collect(),
        }),
    }
}

fn check_name(index: usize, name: Option<&str>) -> Result<(), AttachmentError> {
    match name {
        Some(n) if n.len() > MAX_NAME || n.chars().any(char::is_control) => {
            Err(AttachmentError::BadName { index })
        }
        _ => Ok(()),
    }
}

/// Checks what the platform handed in: count, sizes, types and names. Paths are read (and
/// their size checked) when stored.
pub fn check_new(attachments: &[NewAttachment]) -> Result<(), AttachmentError> {
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(AttachmentError::TooMany {
            count: attachments.len(),
        });
    }
    for (i, a) in attachments.iter().enumerate() {
        let index = i + 1;
        normalize_content_type(index, &a.content_type)?;
        check_name(index, a.name.as_deref())?;
        if let AttachmentData::Bytes(b) = &a.data
            && b.len() as u64 > MAX_ATTACHMENT_BYTES
        {
            return Err(AttachmentError::TooLarge {
                index,
                size: b.len() as u64,
            });
        }
        if let Some(t) = &a.thumbnail
            && t.len() as u64 > MAX_THUMBNAIL_BYTES
        {
            return Err(AttachmentError::ThumbnailTooLarge {
                index,
                size: t.len() as u64,
            });
        }
    }
    Ok(())
}

/// Checks attachment metadata a peer sent: every bound of [`check_new`], a hash exactly
/// when downloaded, and the content type already in its normal form (or empty on a
/// placeholder).
pub fn check_synced(attachments: &[Attachment]) -> Result<(), AttachmentError> {
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(AttachmentError::TooMany {
            count: attachments.len(),
        });
    }
    for (i, a) in attachments.iter().enumerate() {
        let index = i + 1;
        let downloaded = a.state == AttachmentState::Downloaded;
        if downloaded != a.hash.is_some() {
            return Err(AttachmentError::StateMismatch {
                index,
                state: a.state.as_str(),
                has_hash: a.hash.is_some(),
            });
        }
        if downloaded || !a.content_type.is_empty() {
            let normal = normalize_content_type(index, &a.content_type)?;
            if normal != a.content_type {
                return Err(AttachmentError::BadContentType {
                    index,
                    shown: a.content_type.chars().take(40).collect(),
                });
            }
        }
        check_name(index, a.name.as_deref())?;
        if a.size > MAX_ATTACHMENT_BYTES {
            return Err(AttachmentError::TooLarge {
                index,
                size: a.size,
            });
        }
        if let Some(t) = &a.thumbnail
            && u64::from(t.size) > MAX_THUMBNAIL_BYTES
        {
            return Err(AttachmentError::ThumbnailTooLarge {
                index,
                size: u64::from(t.size),
            });
        }
    }
    Ok(())
}

/// What the thread and the assistant show for a message's attachments, e.g. "[photo]" or
/// "[photo] [photo] [video]"; empty for none. The assistant sees only this, never the
/// bytes, so it cannot claim to have looked at a photo.
pub fn placeholder(attachments: &[Attachment]) -> String {
    attachments
        .iter()
        .map(|a| match a.state {
            AttachmentState::NotDownloaded => "[picture message not downloaded yet]",
            AttachmentState::Downloaded => match a.content_type.split('/').next() {
                Some("image") => "[photo]",
                Some("video") => "[video]",
                Some("audio") => "[audio]",
                _ if a.content_type.contains("vcard") => "[contact card]",
                _ => "[attachment]",
            },
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(bytes: &[u8]) -> Attachment {
        Attachment {
            content_type: "image/jpeg".into(),
            size: bytes.len() as u64,
            hash: Some(BlobHash::of(bytes)),
            name: Some("leak.jpg".into()),
            thumbnail: None,
            state: AttachmentState::Downloaded,
        }
    }

    #[test]
    fn hash_round_trips_as_hex_and_matches_blake3() {
        let h = BlobHash::of(b"hello");
        assert_eq!(
            h.to_hex(),
            "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"
        );
        assert_eq!(BlobHash::from_hex(&h.to_hex()), Ok(h));
        assert_eq!(BlobHash::from_hex(&h.to_hex().to_uppercase()), Ok(h));
        let json = serde_json::to_string(&h).expect("serializes");
        assert_eq!(serde_json::from_str::<BlobHash>(&json).ok(), Some(h));
        for bad in ["", "zz", &"g".repeat(64), &"é".repeat(32), &"0".repeat(65)] {
            assert!(BlobHash::from_hex(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn content_types_are_normalized_or_refused() {
        assert_eq!(
            normalize_content_type(1, "Image/JPEG; name=x.jpg").as_deref(),
            Ok("image/jpeg")
        );
        for bad in ["", "image", "image/", "/jpeg", "image/jp eg", "ímage/jpeg"] {
            assert!(normalize_content_type(1, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn synced_metadata_is_bounded() {
        assert_eq!(check_synced(&[photo(b"x")]), Ok(()));
        assert_eq!(check_synced(&[Attachment::not_downloaded()]), Ok(()));
        let many = vec![photo(b"x"); MAX_ATTACHMENTS + 1];
        assert!(matches!(
            check_synced(&many),
            Err(AttachmentError::TooMany { .. })
        ));
        let mut huge = photo(b"x");
        huge.size = MAX_ATTACHMENT_BYTES + 1;
        assert!(matches!(
            check_synced(&[huge]),
            Err(AttachmentError::TooLarge { index: 1, .. })
        ));
        let mut no_hash = photo(b"x");
        no_hash.hash = None;
        assert!(matches!(
            check_synced(&[no_hash]),
            Err(AttachmentError::StateMismatch { .. })
        ));
        let mut upper = photo(b"x");
        upper.content_type = "IMAGE/JPEG".into();
        assert!(check_synced(&[upper]).is_err());
        let mut named = photo(b"x");
        named.name = Some("a\u{0}b".into());
        assert!(check_synced(&[named]).is_err());
        let mut thumb = photo(b"x");
        thumb.thumbnail = Some(Thumbnail {
            hash: BlobHash::of(b"t"),
            size: MAX_THUMBNAIL_BYTES as u32 + 1,
        });
        assert!(check_synced(&[thumb]).is_err());
    }

    #[test]
    fn new_attachments_are_bounded() {
        let ok = NewAttachment {
            content_type: "image/png".into(),
            name: None,
            data: AttachmentData::Bytes(vec![1, 2, 3]),
            thumbnail: None,
        };
        assert_eq!(check_new(std::slice::from_ref(&ok)), Ok(()));
        let mut bad = ok.clone();
        bad.content_type = "nonsense".into();
        let error = check_new(&[ok.clone(), bad]).expect_err("refused");
        assert!(error.to_string().contains("attachment 2"), "{error}");
        let mut thumb = ok;
        thumb.thumbnail = Some(vec![0; MAX_THUMBNAIL_BYTES as usize + 1]);
        assert!(check_new(&[thumb]).is_err());
        let debug = format!("{:?}", AttachmentData::Bytes(vec![7; 1000]));
        assert_eq!(debug, "Bytes(1000 bytes)");
    }

    #[test]
    fn placeholder_names_each_part_without_looking_at_it() {
        let mut video = photo(b"v");
        video.content_type = "video/mp4".into();
        assert_eq!(placeholder(&[photo(b"p"), video]), "[photo] [video]");
        assert_eq!(
            placeholder(&[Attachment::not_downloaded()]),
            "[picture message not downloaded yet]"
        );
        assert_eq!(placeholder(&[]), "");
    }
}
