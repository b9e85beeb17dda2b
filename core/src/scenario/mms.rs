//! A picture message as the scenario runner and the simulated phone take it:
//! `{"from": "+12125550142", "parts": [{"text": "the leak"}, {"type": "image/jpeg", "file":
//! "leak.jpg"}], "line": "sim1", "others": ["+12125550199"]}`. Files are read when the
//! line is read, so a missing or oversized file stops at its line, named.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::attachment::{AttachmentData, NewAttachment};
use crate::call::Line;
use crate::engine::InboundMms;

/// Parts one picture message may have, text parts included.
pub const MAX_PARTS: usize = 20;
/// The largest file a part may name, in bytes (as the store keeps attachments).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most other recipients a group message may name.
pub const MAX_OTHERS: usize = 50;

/// A picture message to receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MmsInput {
    /// The sender.
    pub from: String,
    /// The line, if given.
    pub line: Option<String>,
    /// The other recipients of a group message.
    pub others: Vec<String>,
    /// The text parts, joined by a new line.
    pub text: String,
    /// The other parts, in order.
    pub files: Vec<MmsFile>,
}

/// A part that is not text, read from its file.
#[derive(Clone, PartialEq, Eq)]
pub struct MmsFile {
    /// Its MIME type as written (`image/jpeg`).
    pub content_type: String,
    /// The file's name (without its folder).
    pub name: Option<String>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for MmsFile {
    /// Without the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MmsFile")
            .field("content_type", &self.content_type)
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

const FIELDS: [&str; 4] = ["from", "parts", "line", "others"];
const PART_FIELDS: [&str; 3] = ["text", "type", "file"];

/// Reads an `mms` object; `base` is the folder relative file names start from. The error
/// names the field (`mms.parts[1].file: …`).
pub fn parse_mms(value: &Value, base: &Path) -> Result<MmsInput, String> {
    let Value::Object(fields) = value else {
        return Err("mms: must be a JSON object such as {\"from\": \"…\", \"parts\": […]}".into());
    };
    if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "mms.{unknown}: unknown field; mms takes {}",
            FIELDS.join(", ")
        ));
    }
    let from = match fields.get("from") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("mms.from: must be a string, not {other}")),
        None => return Err("mms.from: missing; add \"from\": \"…\"".into()),
    };
    let line = match fields.get("line") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(format!("mms.line: must be a string, not {other}")),
    };
    let others = match fields.get("others") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) if list.len() <= MAX_OTHERS => list
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!("mms.others[{i}]: must be a string, not {other}")),
            })
            .collect::<Result<_, _>>()?,
        Some(Value::Array(list)) => {
            return Err(format!(
                "mms.others: {} recipients; at most {MAX_OTHERS}",
                list.len()
            ));
        }
        Some(other) => {
            return Err(format!(
                "mms.others: must be a list of numbers, not {other}"
            ));
        }
    };
    let parts = match fields.get("parts") {
        Some(Value::Array(parts)) => parts,
        Some(other) => return Err(format!("mms.parts: must be a list, not {other}")),
        None => {
            return Err(
                "mms.parts: missing; add \"parts\": [{\"text\": \"…\"}, {\"type\": \"image/jpeg\", \"file\": \"…\"}]"
                    .into(),
            );
        }
    };
    if parts.is_empty() {
        return Err("mms.parts: empty; a picture message has at least one part".into());
    }
    if parts.len() > MAX_PARTS {
        return Err(format!(
            "mms.parts: {} parts; a picture message may have at most {MAX_PARTS}",
            parts.len()
        ));
    }
    let mut texts: Vec<String> = Vec::new();
    let mut files = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let at = format!("mms.parts[{i}]");
        let Value::Object(part) = part else {
            return Err(format!(
                "{at}: must be an object, {{\"text\": \"…\"}} or {{\"type\": \"image/jpeg\", \"file\": \"…\"}}"
            ));
        };
        if let Some(unknown) = part.keys().find(|k| !PART_FIELDS.contains(&k.as_str())) {
            return Err(format!(
                "{at}.{unknown}: unknown field; a part takes {}",
                PART_FIELDS.join(", ")
            ));
        }
        let string = |field: &str| match part.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{at}.{field}: must be a string, not {other}")),
        };
        let (text, content_type, file) = (string("text")?, string("type")?, string("file")?);
        match (text, file) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "{at}: a part has text or a file, not both; make them two parts"
                ));
            }
            (Some(text), None) => {
                if let Some(t) = content_type.filter(|t| !t.starts_with("text/plain")) {
                    return Err(format!(
                        "{at}.type: a text part is text/plain, not “{t}”; give a file for other types"
                    ));
                }
                texts.push(text);
            }
            (None, Some(file)) => {
                let Some(content_type) = content_type else {
                    return Err(format!(
                        "{at}.type: missing; say what the file is, such as \"type\": \"image/jpeg\""
                    ));
                };
                if !is_mime(&content_type) {
                    return Err(format!(
                        "{at}.type: “{content_type}” is not a MIME type such as image/jpeg"
                    ));
                }
                let path = base.join(&file);
                let bytes = read_bounded(&path).map_err(|why| format!("{at}.file: {why}"))?;
                let name = Path::new(&file)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                files.push(MmsFile {
                    content_type,
                    name,
                    bytes,
                });
            }
            (None, None) => {
                return Err(format!(
                    "{at}: has neither text nor a file; add \"text\": \"…\" or \"file\": \"…\""
                ));
            }
        }
    }
    Ok(MmsInput {
        from,
        line,
        others,
        text: texts.join("\n"),
        files,
    })
}

/// A reply's photo: `{"type": "image/jpeg", "file": "valve.jpg"}`, read now, bounded like
/// a picture message's parts. `at` names the field in errors.
pub fn parse_photo(value: &Value, base: &Path, at: &str) -> Result<MmsFile, String> {
    let Some(object) = value.as_object() else {
        return Err(format!(
            "{at}: give the photo as {{\"type\": \"image/jpeg\", \"file\": \"…\"}}"
        ));
    };
    if let Some(unknown) = object
        .keys()
        .find(|k| !["type", "file"].contains(&k.as_str()))
    {
        return Err(format!(
            "{at}.{unknown}: unknown field; a photo has type and file"
        ));
    }
    let Some(content_type) = object.get("type").and_then(Value::as_str) else {
        return Err(format!(
            "{at}.type: missing; say what the file is, such as \"type\": \"image/jpeg\""
        ));
    };
    if !content_type.starts_with("image/") || !is_mime(content_type) {
        return Err(format!(
            "{at}.type: “{}” is not an image type such as image/jpeg",
            content_type.chars().take(60).collect::<String>()
        ));
    }
    let Some(file) = object.get("file").and_then(Value::as_str) else {
        return Err(format!("{at}.file: missing; name the photo's file"));
    };
    let bytes = read_bounded(&base.join(file)).map_err(|why| format!("{at}.file: {why}"))?;
    Ok(MmsFile {
        content_type: content_type.to_string(),
        name: Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        bytes,
    })
}

impl MmsInput {
    /// The platform event's picture message: downloaded, its files as bytes (the platform
    /// makes no thumbnail here; the phone's engine does).
    pub fn into_inbound(self, source_id: String, at: jiff::Timestamp) -> InboundMms {
        InboundMms {
            source_id,
            from: self.from,
            others: self.others,
            text: self.text,
            attachments: self
                .files
                .into_iter()
                .map(|f| NewAttachment {
                    content_type: f.content_type,
                    name: f.name,
                    data: AttachmentData::Bytes(f.bytes),
                    thumbnail: None,
                })
                .collect(),
            line: Line::from_option(self.line.as_deref()),
            at,
            downloaded: true,
        }
    }
}

/// `type/subtype`, in the characters MIME allows.
fn is_mime(text: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let bare = text.split(';').next().unwrap_or("").trim();
    bare.len() <= 255
        && bare
            .split_once('/')
            .is_some_and(|(t, s)| token(t) && token(s))
}

/// Reads a file of at most [`MAX_FILE_BYTES`], checked before and while reading (a file
/// that grows, or a device that never ends, is cut off).
fn read_bounded(path: &PathBuf) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("could not read {shown} ({e})"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("could not read {shown} ({e})"))?;
    if !meta.is_file() {
        return Err(format!("{shown} is not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "{shown} is {} bytes; a part may be at most {MAX_FILE_BYTES}",
            meta.len()
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("could not read {shown} ({e})"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{shown} grew past {MAX_FILE_BYTES} bytes while it was read"
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn folder_with_photo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("leak.jpg"), [0xFF, 0xD8, 0xFF, 0xD9]).expect("write");
        dir
    }

    #[test]
    fn text_and_photo_parts_are_read() {
        let dir = folder_with_photo();
        let mms = parse_mms(
            &json!({"from": "+12125550142", "line": "sim1", "others": ["+12125550199"], "parts": [
                {"text": "Here is the leak"},
                {"type": "image/jpeg", "file": "leak.jpg"},
                {"text": "under the sink", "type": "text/plain"}
            ]}),
            dir.path(),
        )
        .expect("parsed");
        assert_eq!(mms.from, "+12125550142");
        assert_eq!(mms.line.as_deref(), Some("sim1"));
        assert_eq!(mms.others, vec!["+12125550199".to_string()]);
        assert_eq!(mms.text, "Here is the leak\nunder the sink");
        assert_eq!(mms.files.len(), 1);
        assert_eq!(mms.files[0].content_type, "image/jpeg");
        assert_eq!(mms.files[0].name.as_deref(), Some("leak.jpg"));
        assert_eq!(mms.files[0].bytes, vec![0xFF, 0xD8, 0xFF, 0xD9]);
    }

    #[test]
    fn every_mistake_names_its_field() {
        let dir = folder_with_photo();
        let cases = [
            (json!([]), "mms:"),
            (json!({"parts": [{"text": "x"}]}), "mms.from: missing"),
            (
                json!({"from": 5, "parts": []}),
                "mms.from: must be a string",
            ),
            (json!({"from": "+1", "parts": []}), "mms.parts: empty"),
            (json!({"from": "+1"}), "mms.parts: missing"),
            (
                json!({"from": "+1", "parts": [{"text": "x"}], "body": "x"}),
                "mms.body: unknown field",
            ),
            (
                json!({"from": "+1", "parts": [{"file": "leak.jpg"}]}),
                "mms.parts[0].type: missing",
            ),
            (
                json!({"from": "+1", "parts": [{"type": "jpeg", "file": "leak.jpg"}]}),
                "mms.parts[0].type: “jpeg”",
            ),
            (
                json!({"from": "+1", "parts": [{"text": "a"}, {"type": "image/jpeg", "file": "gone.jpg"}]}),
                "mms.parts[1].file: could not read",
            ),
            (
                json!({"from": "+1", "parts": [{"type": "image/jpeg", "file": "."}]}),
                "mms.parts[0].file:",
            ),
            (
                json!({"from": "+1", "parts": [{"text": "a", "file": "leak.jpg"}]}),
                "not both",
            ),
            (
                json!({"from": "+1", "parts": [{}]}),
                "neither text nor a file",
            ),
            (
                json!({"from": "+1", "parts": [{"text": "a", "type": "image/png"}]}),
                "mms.parts[0].type: a text part",
            ),
            (
                json!({"from": "+1", "parts": [{"text": "a", "size": 3}]}),
                "mms.parts[0].size: unknown field",
            ),
            (
                json!({"from": "+1", "parts": (0..=MAX_PARTS).map(|_| json!({"text": "a"})).collect::<Vec<_>>()}),
                "at most 20",
            ),
            (
                json!({"from": "+1", "parts": [{"text": "a"}], "others": (0..=MAX_OTHERS).map(|_| json!("+1")).collect::<Vec<_>>()}),
                "mms.others: 51",
            ),
        ];
        for (value, want) in cases {
            let error = parse_mms(&value, dir.path()).expect_err("refused");
            assert!(error.contains(want), "{value}: {error}");
        }
    }

    #[test]
    fn a_file_over_the_cap_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let big = std::fs::File::create(dir.path().join("big.jpg")).expect("create");
        // Sparse: no disk is used.
        big.set_len(MAX_FILE_BYTES + 1).expect("size");
        let error = parse_mms(
            &json!({"from": "+1", "parts": [{"type": "image/jpeg", "file": "big.jpg"}]}),
            dir.path(),
        )
        .expect_err("refused");
        assert!(error.contains("at most 16777216"), "{error}");
    }
}
