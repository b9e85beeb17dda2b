//! The phone's content-addressed blob store: attachments' bytes in files named by their
//! BLAKE3 hash, in a folder beside the SQLite file (`<data>/blobs/ab/abcdef…`). The store
//! only ever holds bytes under their own hash, so a file is written once and never
//! changes; writes go to a temporary file renamed into place, so a crash never leaves a
//! half blob under a hash. Nothing here evicts: on the phone a blob lives as long as the
//! message that names it.
//!
//! The sync's blob protocol (iroh-blobs) serves from and fetches into a store of its own;
//! this one is what the engine reads and writes synchronously.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::attachment::{BlobHash, MAX_ATTACHMENT_BYTES};

/// Why the blob store could not keep or read a blob.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The folder or a file could not be written or read.
    #[error(
        "the photo store in {path} could not be used ({why}); check that the data folder is writable and has space"
    )]
    Io {
        /// The file or folder.
        path: String,
        /// The system's words.
        why: String,
    },
    /// A blob larger than an attachment may be.
    #[error(
        "a {size}-byte attachment is larger than Ringback keeps ({MAX_ATTACHMENT_BYTES} bytes)"
    )]
    TooLarge {
        /// Its size.
        size: u64,
    },
}

fn io(path: &Path, e: std::io::Error) -> BlobError {
    BlobError::Io {
        path: path.display().to_string(),
        why: e.to_string(),
    }
}

/// Where the bytes are kept.
#[derive(Debug)]
enum Backing {
    Dir(PathBuf),
    Memory(Mutex<HashMap<BlobHash, Arc<Vec<u8>>>>),
}

/// Blobs being fetched in a memory store: their verified bytes so far.
type Partials = Mutex<HashMap<BlobHash, Vec<u8>>>;

/// A content-addressed blob store. See the module docs.
#[derive(Debug)]
pub struct BlobStore {
    backing: Backing,
    /// Partly fetched blobs of a memory store (a folder store keeps them in files).
    partials: Partials,
}

impl BlobStore {
    /// The store in `dir` (created if missing, readable by the owner only).
    pub fn open(dir: &Path) -> Result<Arc<BlobStore>, BlobError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(Arc::new(BlobStore {
            backing: Backing::Dir(dir.to_path_buf()),
            partials: Mutex::default(),
        }))
    }

    /// The store beside a store file: `<folder of db>/blobs`.
    pub fn beside(db: &Path) -> Result<Arc<BlobStore>, BlobError> {
        let folder = db.parent().unwrap_or(Path::new("."));
        BlobStore::open(&folder.join("blobs"))
    }

    /// A store in memory (tests, the scenario runner).
    pub fn in_memory() -> Arc<BlobStore> {
        Arc::new(BlobStore {
            backing: Backing::Memory(Mutex::new(HashMap::new())),
            partials: Mutex::default(),
        })
    }

    fn path(dir: &Path, hash: &BlobHash) -> PathBuf {
        let hex = hash.to_hex();
        dir.join(&hex[..2]).join(&hex)
    }

    /// Keeps `bytes` and returns their hash (a blob already held is not written again).
    pub fn put(&self, bytes: &[u8]) -> Result<BlobHash, BlobError> {
        if bytes.len() as u64 > MAX_ATTACHMENT_BYTES {
            return Err(BlobError::TooLarge {
                size: bytes.len() as u64,
            });
        }
        let hash = BlobHash::of(bytes);
        match &self.backing {
            Backing::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                map.entry(hash).or_insert_with(|| Arc::new(bytes.to_vec()));
            }
            Backing::Dir(dir) => {
                let path = BlobStore::path(dir, &hash);
                if path.exists() {
                    return Ok(hash);
                }
                let parent = path.parent().unwrap_or(dir);
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                let mut temp = tempfile_in(parent)?;
                temp.1.write_all(bytes).map_err(|e| io(&temp.0, e))?;
                temp.1.sync_all().map_err(|e| io(&temp.0, e))?;
                std::fs::rename(&temp.0, &path).map_err(|e| io(&path, e))?;
            }
        }
        Ok(hash)
    }

    /// Reads a file the platform named and keeps its bytes; returns their hash and size.
    pub fn put_file(&self, path: &Path) -> Result<(BlobHash, u64), BlobError> {
        let size = std::fs::metadata(path).map_err(|e| io(path, e))?.len();
        if size > MAX_ATTACHMENT_BYTES {
            return Err(BlobError::TooLarge { size });
        }
        let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
        Ok((self.put(&bytes)?, bytes.len() as u64))
    }

    /// The bytes under `hash`, if held. A file whose bytes no longer match its name (a disk
    /// fault) counts as not held.
    pub fn get(&self, hash: &BlobHash) -> Result<Option<Vec<u8>>, BlobError> {
        match &self.backing {
            Backing::Memory(map) => {
                let map = map.lock().unwrap_or_else(|e| e.into_inner());
                Ok(map.get(hash).map(|b| b.as_ref().clone()))
            }
            Backing::Dir(dir) => {
                let path = BlobStore::path(dir, hash);
                match std::fs::read(&path) {
                    Ok(bytes) if BlobHash::of(&bytes) == *hash => Ok(Some(bytes)),
                    Ok(_) => {
                        tracing::warn!(blob = %&hash.to_hex()[..12], "a stored photo is damaged; it will be fetched again");
                        Ok(None)
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(io(&path, e)),
                }
            }
        }
    }

    /// Whether `hash` is held.
    pub fn has(&self, hash: &BlobHash) -> bool {
        match &self.backing {
            Backing::Memory(map) => map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(hash),
            Backing::Dir(dir) => BlobStore::path(dir, hash).exists(),
        }
    }
}

impl BlobStore {
    fn partial_path(dir: &Path, hash: &BlobHash) -> PathBuf {
        let hex = hash.to_hex();
        dir.join(&hex[..2]).join(format!(".fetching-{hex}"))
    }

    /// How many leading bytes of `hash` a fetch has written so far (0 when none). The sync
    /// resumes a fetch from there, so a transfer cut by either side's death goes on where
    /// it stopped instead of starting over.
    pub fn partial_len(&self, hash: &BlobHash) -> u64 {
        match &self.backing {
            Backing::Memory(_) => lock(&self.partials).get(hash).map_or(0, |b| b.len() as u64),
            Backing::Dir(dir) => {
                std::fs::metadata(BlobStore::partial_path(dir, hash)).map_or(0, |m| m.len())
            }
        }
    }

    /// Writes verified bytes of a blob being fetched at `offset`. Only bytes the transfer
    /// verified against `hash` may be written here; [`Self::complete_partial`] checks the
    /// whole again before the blob counts as held.
    pub fn write_partial(
        &self,
        hash: &BlobHash,
        offset: u64,
        data: &[u8],
    ) -> Result<(), BlobError> {
        let end = offset.saturating_add(data.len() as u64);
        if end > MAX_ATTACHMENT_BYTES {
            return Err(BlobError::TooLarge { size: end });
        }
        match &self.backing {
            Backing::Memory(_) => {
                let mut partials = lock(&self.partials);
                let buf = partials.entry(*hash).or_default();
                let (start, end) = (offset as usize, end as usize);
                if buf.len() < end {
                    buf.resize(end, 0);
                }
                buf[start..end].copy_from_slice(data);
            }
            Backing::Dir(dir) => {
                use std::io::{Seek, SeekFrom};
                let path = BlobStore::partial_path(dir, hash);
                let parent = path.parent().unwrap_or(dir);
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
                let mut file = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(|e| io(&path, e))?;
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| io(&path, e))?;
                file.write_all(data).map_err(|e| io(&path, e))?;
            }
        }
        Ok(())
    }

    /// Turns a finished fetch into a held blob if its bytes hash to `hash`; a partial file
    /// whose bytes do not is removed (it will be fetched again). Returns whether it is held.
    pub fn complete_partial(&self, hash: &BlobHash) -> Result<bool, BlobError> {
        let bytes = match &self.backing {
            Backing::Memory(_) => lock(&self.partials).remove(hash),
            Backing::Dir(dir) => {
                let path = BlobStore::partial_path(dir, hash);
                let bytes = match std::fs::read(&path) {
                    Ok(bytes) => Some(bytes),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(io(&path, e)),
                };
                let _ = std::fs::remove_file(&path);
                bytes
            }
        };
        match bytes {
            Some(bytes) if BlobHash::of(&bytes) == *hash => {
                self.put(&bytes)?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Forgets a blob (desktops only, to keep within their budget; the phone never evicts).
    pub fn remove(&self, hash: &BlobHash) -> Result<(), BlobError> {
        match &self.backing {
            Backing::Memory(map) => {
                lock(map).remove(hash);
            }
            Backing::Dir(dir) => {
                let path = BlobStore::path(dir, hash);
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io(&path, e)),
                }
            }
        }
        Ok(())
    }
}

impl BlobStore {
    /// Evicts the oldest blobs (by when they were written here) until what is held fits in
    /// `budget` bytes; returns the hashes evicted. Desktops call this with their budget per
    /// phone (each phone's replica has its own store); the phone never does, as its blobs
    /// are the originals. An evicted photo is fetched again when it is viewed. A store in
    /// memory holds nothing worth evicting and evicts nothing.
    pub fn evict_oldest(&self, budget: u64) -> Result<Vec<BlobHash>, BlobError> {
        let Backing::Dir(dir) = &self.backing else {
            return Ok(Vec::new());
        };
        let mut held = BlobStore::held_in(dir)?;
        let mut total: u64 = held.iter().map(|(_, len, _)| len).sum();
        held.sort();
        let mut evicted = Vec::new();
        for (_, len, hash) in held {
            if total <= budget {
                break;
            }
            self.remove(&hash)?;
            total -= len;
            evicted.push(hash);
        }
        if !evicted.is_empty() {
            tracing::info!(
                count = evicted.len(),
                budget,
                "evicted the oldest photos to stay within the budget"
            );
        }
        Ok(evicted)
    }

    /// The bytes of the complete blobs held (what counts against a desktop's budget;
    /// fetches under way do not).
    pub fn held_bytes(&self) -> Result<u64, BlobError> {
        match &self.backing {
            Backing::Memory(map) => Ok(lock(map).values().map(|b| b.len() as u64).sum()),
            Backing::Dir(dir) => Ok(BlobStore::held_in(dir)?.iter().map(|(_, len, _)| len).sum()),
        }
    }

    /// The complete blobs in a folder store: when each was written, its size, its hash.
    fn held_in(dir: &Path) -> Result<Vec<(std::time::SystemTime, u64, BlobHash)>, BlobError> {
        let mut held = Vec::new();
        for shard in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let shard = shard.map_err(|e| io(dir, e))?.path();
            if !shard.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(&shard).map_err(|e| io(&shard, e))? {
                let entry = entry.map_err(|e| io(&shard, e))?;
                let name = entry.file_name();
                // Partial fetches and temporary files start with a dot and are not blobs.
                let Some(hash) = name.to_str().and_then(|n| BlobHash::from_hex(n).ok()) else {
                    continue;
                };
                let meta = entry.metadata().map_err(|e| io(&entry.path(), e))?;
                let written = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                held.push((written, meta.len(), hash));
            }
        }
        Ok(held)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A new temporary file in `dir`, named so that it can never be taken for a blob.
fn tempfile_in(dir: &Path) -> Result<(PathBuf, std::fs::File), BlobError> {
    for attempt in 0u32..16 {
        let name = format!(
            ".partial-{}-{}-{attempt}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&path, e)),
        }
    }
    Err(BlobError::Io {
        path: dir.display().to_string(),
        why: "no temporary file name was free".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_bytes_under_their_hash_on_disk_and_in_memory() {
        let dir = tempfile::tempdir().expect("temp dir");
        for store in [
            BlobStore::open(&dir.path().join("blobs")).expect("opens"),
            BlobStore::in_memory(),
        ] {
            let hash = store.put(b"a photo").expect("kept");
            assert_eq!(hash, BlobHash::of(b"a photo"));
            assert_eq!(store.put(b"a photo").expect("again"), hash);
            assert!(store.has(&hash));
            assert_eq!(store.held_bytes().expect("counted"), 7, "kept once");
            assert_eq!(
                store.get(&hash).expect("reads").as_deref(),
                Some(&b"a photo"[..])
            );
            assert_eq!(store.get(&BlobHash::of(b"other")).expect("reads"), None);
        }
    }

    #[test]
    fn a_damaged_file_is_not_served() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = BlobStore::open(dir.path()).expect("opens");
        let hash = store.put(b"bytes").expect("kept");
        let hex = hash.to_hex();
        std::fs::write(dir.path().join(&hex[..2]).join(&hex), b"bytez").expect("damaged");
        assert_eq!(store.get(&hash).expect("reads"), None);
    }

    #[test]
    fn a_partial_fetch_is_resumed_and_completed_only_when_its_bytes_match() {
        let dir = tempfile::tempdir().expect("temp dir");
        for store in [
            BlobStore::open(dir.path()).expect("opens"),
            BlobStore::in_memory(),
        ] {
            let bytes = vec![7u8; 5000];
            let hash = BlobHash::of(&bytes);
            assert_eq!(store.partial_len(&hash), 0);
            store
                .write_partial(&hash, 0, &bytes[..2048])
                .expect("written");
            assert_eq!(store.partial_len(&hash), 2048);
            assert!(!store.has(&hash));
            store
                .write_partial(&hash, 1024, &bytes[1024..])
                .expect("written");
            assert!(store.complete_partial(&hash).expect("completes"));
            assert_eq!(store.get(&hash).expect("reads"), Some(bytes.clone()));
            assert_eq!(store.partial_len(&hash), 0);

            let other = BlobHash::of(b"something else");
            store.write_partial(&other, 0, b"not it").expect("written");
            assert!(!store.complete_partial(&other).expect("checked"));
            assert!(!store.has(&other));
            assert_eq!(store.partial_len(&other), 0);
        }
    }

    #[test]
    fn evicts_the_oldest_blobs_down_to_the_budget() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = BlobStore::open(dir.path()).expect("opens");
        let mut hashes = Vec::new();
        for i in 0..4u8 {
            hashes.push(store.put(&[i; 1000]).expect("kept"));
            // File times have a coarse grain on some file systems.
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        store
            .write_partial(&BlobHash::of(b"fetching"), 0, &[0; 5000])
            .expect("a partial, never counted or evicted");
        assert_eq!(
            store.evict_oldest(4000).expect("evicts"),
            Vec::<BlobHash>::new()
        );
        assert_eq!(
            store.evict_oldest(2500).expect("evicts"),
            hashes[..2].to_vec()
        );
        assert!(!store.has(&hashes[0]) && !store.has(&hashes[1]));
        assert!(store.has(&hashes[2]) && store.has(&hashes[3]));
        assert_eq!(
            store.held_bytes().expect("counted"),
            2000,
            "the partial is not held"
        );
        assert_eq!(store.partial_len(&BlobHash::of(b"fetching")), 5000);
    }

    #[test]
    fn refuses_a_blob_larger_than_an_attachment() {
        let store = BlobStore::in_memory();
        let big = vec![0u8; MAX_ATTACHMENT_BYTES as usize + 1];
        assert!(matches!(store.put(&big), Err(BlobError::TooLarge { .. })));
    }
}
