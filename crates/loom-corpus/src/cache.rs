//! The local module cache: where it is and whether a cached file can be trusted.
//!
//! A module counts as cached only if `<cache>/<id>.wasm` exists with the manifest's size and
//! sha256, so a truncated download or a stale file from an older manifest is never fed to
//! the optimizer. Hashing the whole corpus (~150 MB) on every test run or `list` would be
//! slow in debug builds, so the check is cheap in the common case: the size is compared
//! first, and after a successful hash a small stamp file `<id>.wasm.verified` records the
//! file's size, modification time and hash; while those still match, the file is trusted
//! without rehashing. Any change to the file (size or mtime) forces a fresh hash.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use crate::manifest::Entry;

/// Environment variable that overrides the cache directory.
pub const CACHE_ENV: &str = "LOOM_CORPUS_CACHE";

/// The cache directory: `$LOOM_CORPUS_CACHE` if set and non-empty, else
/// `$HOME/.cache/loom-corpus` (or `.cache/loom-corpus` under the current directory if there
/// is no home directory).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(std::env::home_dir)
        .unwrap_or_default();
    home.join(".cache").join("loom-corpus")
}

/// Lowercase hex sha256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex sha256 of a file's contents, read in blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the cache holds for one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheState {
    /// The file is present with the right size and sha256.
    Ok(PathBuf),
    /// No file (or it cannot be read).
    Missing,
    /// A file of the wrong size (its actual size).
    WrongSize(u64),
    /// A file of the right size but another sha256 (the actual hash).
    WrongHash(String),
}

impl CacheState {
    /// A short human description: `cached`, `missing`, `wrong size (N bytes)`, `wrong sha256`.
    pub fn describe(&self) -> String {
        match self {
            CacheState::Ok(_) => "cached".to_string(),
            CacheState::Missing => "missing".to_string(),
            CacheState::WrongSize(n) => format!("wrong size ({n} bytes)"),
            CacheState::WrongHash(_) => "wrong sha256".to_string(),
        }
    }
}

/// Path of the stamp recording a successful hash of `file`.
fn stamp_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".verified");
    file.with_file_name(name)
}

/// `"<size> <mtime ns> <sha256>"` for a file's metadata, if its mtime is available.
fn stamp_text(meta: &fs::Metadata, sha256: &str) -> Option<String> {
    let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!("{} {} {}", meta.len(), mtime.as_nanos(), sha256))
}

/// Records that `file`, as it is now, hashed to `sha256` (best effort: errors are ignored,
/// the next check then simply hashes again).
pub(crate) fn write_stamp(file: &Path, sha256: &str) {
    if let Some(text) = fs::metadata(file)
        .ok()
        .and_then(|meta| stamp_text(&meta, sha256))
    {
        let _ = fs::write(stamp_path(file), text);
    }
}

impl Entry {
    /// Checks this entry's file in `cache`: size first, then the stamp, then a full hash.
    pub fn cache_state(&self, cache: &Path) -> CacheState {
        let file = self.cache_file(cache);
        let meta = match fs::metadata(&file) {
            Ok(m) if m.is_file() => m,
            _ => return CacheState::Missing,
        };
        if meta.len() != self.bytes {
            return CacheState::WrongSize(meta.len());
        }
        let expected = stamp_text(&meta, &self.sha256);
        if expected.is_some()
            && fs::read_to_string(stamp_path(&file)).ok().as_deref() == expected.as_deref()
        {
            return CacheState::Ok(file);
        }
        match sha256_file(&file) {
            Ok(got) if got == self.sha256 => {
                if let Some(text) = expected {
                    let _ = fs::write(stamp_path(&file), text);
                }
                CacheState::Ok(file)
            }
            Ok(got) => CacheState::WrongHash(got),
            Err(_) => CacheState::Missing,
        }
    }

    /// This entry's file in `cache`, if it exists with the manifest's size and sha256.
    pub fn cached_path(&self, cache: &Path) -> Option<PathBuf> {
        match self.cache_state(cache) {
            CacheState::Ok(path) => Some(path),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    fn entry_for(data: &[u8]) -> Entry {
        let text = format!(
            "id\tregistry\tpackage\tversion\tpath\tsha256\tbytes\tkind\n\
             m\tnpm\tpkg\t1.0.0\tpackage/m.wasm\t{}\t{}\tcore\n",
            sha256_hex(data),
            data.len()
        );
        Manifest::parse(&text).unwrap().entries.remove(0)
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn sha256_file_matches_in_memory_hash_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i * 31 % 251) as u8).collect();
        let path = dir.path().join("big");
        fs::write(&path, &data).unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(&data));
    }

    #[test]
    fn cache_states() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"\0asm\x01\0\0\0".to_vec();
        let e = entry_for(&data);
        let file = e.cache_file(dir.path());

        assert_eq!(e.cache_state(dir.path()), CacheState::Missing);
        assert_eq!(e.cached_path(dir.path()), None);

        fs::write(&file, &data[..4]).unwrap();
        assert_eq!(e.cache_state(dir.path()), CacheState::WrongSize(4));

        let mut other = data.clone();
        other[7] = 1;
        fs::write(&file, &other).unwrap();
        assert_eq!(
            e.cache_state(dir.path()),
            CacheState::WrongHash(sha256_hex(&other))
        );
        assert_eq!(e.cached_path(dir.path()), None);

        fs::write(&file, &data).unwrap();
        assert_eq!(e.cached_path(dir.path()), Some(file.clone()));
        assert!(stamp_path(&file).exists(), "a good hash leaves a stamp");
        // Trusted via the stamp now; still right.
        assert_eq!(e.cached_path(dir.path()), Some(file.clone()));
    }

    #[test]
    fn stamp_is_ignored_once_the_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let data = b"\0asm\x01\0\0\0".to_vec();
        let e = entry_for(&data);
        let file = e.cache_file(dir.path());
        fs::write(&file, &data).unwrap();
        assert!(e.cached_path(dir.path()).is_some());

        // Same size, different contents and a different mtime: must be rehashed.
        let mut other = data.clone();
        other[7] = 9;
        fs::write(&file, &other).unwrap();
        let f = fs::File::options().write(true).open(&file).unwrap();
        f.set_modified(UNIX_EPOCH + std::time::Duration::from_secs(12345))
            .unwrap();
        drop(f);
        assert!(matches!(
            e.cache_state(dir.path()),
            CacheState::WrongHash(_)
        ));

        // A stamp for another hash does not vouch for the file either.
        fs::write(&file, &data).unwrap();
        let meta = fs::metadata(&file).unwrap();
        fs::write(
            stamp_path(&file),
            stamp_text(&meta, &"0".repeat(64)).unwrap(),
        )
        .unwrap();
        assert_eq!(e.cached_path(dir.path()), Some(file));
    }
}
