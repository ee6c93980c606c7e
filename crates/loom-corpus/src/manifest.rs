//! Parsing `corpus/manifest.tsv`, the list of corpus modules and where to get them.
//!
//! The manifest is a tab-separated table with a header row. Columns are looked up by name so
//! that informational columns can be added or reordered without touching this code; only
//! `id`, `registry`, `package`, `version`, `path`, `sha256`, `bytes` and `kind` are required,
//! and they are checked strictly here (safe file-name ids, 64-hex-digit hashes, known
//! registries and kinds, no duplicate ids) so that the fetcher and the tests can trust them.
//! Every error names the manifest line it comes from.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Columns every manifest must have.
const REQUIRED: [&str; 8] = [
    "id", "registry", "package", "version", "path", "sha256", "bytes", "kind",
];

/// The package registry a module is downloaded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Registry {
    /// npmjs.org, fetched with `npm pack` (a `.tgz`).
    Npm,
    /// pypi.org, fetched with `pip download` (a `.whl`).
    Pypi,
}

impl Registry {
    /// The name used in the manifest's `registry` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Registry::Npm => "npm",
            Registry::Pypi => "pypi",
        }
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of binary a module is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A core WebAssembly module.
    Core,
    /// A component-model component.
    Component,
}

impl Kind {
    /// The name used in the manifest's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Core => "core",
            Kind::Component => "component",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One corpus module: where it comes from and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Unique name; the cached file is `<id>.wasm`.
    pub id: String,
    pub registry: Registry,
    pub package: String,
    /// Exact package version.
    pub version: String,
    /// Path of the `.wasm` file inside the package archive (e.g. `package/dist/x.wasm`).
    pub path: String,
    /// Lowercase hex sha256 of the file.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    pub kind: Kind,
    /// Proposals the module needs beyond MVP (empty for `mvp` / `n/a`).
    pub features: Vec<String>,
    /// Toolchain family (`producer` column), empty if absent.
    pub producer: String,
    /// Declared package license (`license` column), empty if absent.
    pub license: String,
    /// Free-form notes, empty if absent.
    pub notes: String,
    /// Every column of the row by header name, including the ones above.
    pub columns: BTreeMap<String, String>,
}

impl Entry {
    /// A column of this entry's row by header name (`None` if the manifest lacks it).
    pub fn column(&self, name: &str) -> Option<&str> {
        self.columns.get(name).map(String::as_str)
    }

    /// The file this entry is stored as in `cache` (whether or not it exists).
    pub fn cache_file(&self, cache: &Path) -> PathBuf {
        cache.join(format!("{}.wasm", self.id))
    }

    /// `package@version` (npm) or `package==version` (PyPI), as the client spells it.
    pub fn package_spec(&self) -> String {
        match self.registry {
            Registry::Npm => format!("{}@{}", self.package, self.version),
            Registry::Pypi => format!("{}=={}", self.package, self.version),
        }
    }
}

/// The parsed manifest: its entries in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// The manifest checked into this repository, `corpus/manifest.tsv`.
    pub fn bundled_path() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/manifest.tsv")
    }

    /// Loads the repository's own manifest ([`Manifest::bundled_path`]).
    pub fn bundled() -> Result<Manifest> {
        Manifest::load(&Manifest::bundled_path())
    }

    /// Reads and parses a manifest file.
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read manifest {}", path.display()))?;
        Manifest::parse(&text).with_context(|| format!("{}", path.display()))
    }

    /// Parses manifest text (tab-separated, header first; blank lines are ignored).
    pub fn parse(text: &str) -> Result<Manifest> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            bail!("manifest is empty");
        };
        let header: Vec<&str> = header.split('\t').map(str::trim).collect();
        for (i, name) in header.iter().enumerate() {
            if header[..i].contains(name) {
                bail!("line 1: column {name:?} appears twice");
            }
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|c| !header.contains(c))
            .collect();
        if !missing.is_empty() {
            bail!("line 1: missing column(s) {}", missing.join(", "));
        }

        let mut entries = Vec::new();
        let mut ids = HashSet::new();
        for (lineno, line) in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() != header.len() {
                bail!(
                    "line {lineno}: {} fields, header has {}",
                    cells.len(),
                    header.len()
                );
            }
            let columns: BTreeMap<String, String> = header
                .iter()
                .zip(&cells)
                .map(|(h, c)| (h.to_string(), c.trim().to_string()))
                .collect();
            let entry = parse_entry(columns).with_context(|| format!("line {lineno}"))?;
            if !ids.insert(entry.id.clone()) {
                bail!("line {lineno}: duplicate id {:?}", entry.id);
            }
            entries.push(entry);
        }
        Ok(Manifest { entries })
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entries named in `ids` (in manifest order), or all of them if `ids` is `None`.
    /// Fails, naming them, if any id is not in the manifest.
    pub fn select<S: AsRef<str>>(&self, ids: Option<&[S]>) -> Result<Vec<&Entry>> {
        let Some(ids) = ids else {
            return Ok(self.entries.iter().collect());
        };
        let wanted: HashSet<&str> = ids.iter().map(AsRef::as_ref).collect();
        let mut unknown: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|id| self.get(id).is_none())
            .collect();
        if !unknown.is_empty() {
            unknown.sort_unstable();
            bail!("unknown corpus id(s): {}", unknown.join(", "));
        }
        Ok(self
            .entries
            .iter()
            .filter(|e| wanted.contains(e.id.as_str()))
            .collect())
    }
}

/// Builds an [`Entry`] from one row's cells, validating the required columns.
fn parse_entry(columns: BTreeMap<String, String>) -> Result<Entry> {
    let get = |name: &str| columns.get(name).map(String::as_str).unwrap_or("");
    let nonempty = |name: &str| -> Result<String> {
        match get(name) {
            "" => bail!("empty {name}"),
            v => Ok(v.to_string()),
        }
    };

    let id = nonempty("id")?;
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || id.starts_with('.')
    {
        bail!("id {id:?} is not a plain file name (use letters, digits, '-', '_', '.')");
    }
    let registry = match get("registry") {
        "npm" => Registry::Npm,
        "pypi" => Registry::Pypi,
        other => bail!("{id}: unknown registry {other:?} (expected npm or pypi)"),
    };
    let package = nonempty("package")?;
    let version = nonempty("version")?;
    let path = nonempty("path")?;
    if path.starts_with('/') || path.split('/').any(|c| c == "..") {
        bail!("{id}: path {path:?} must be relative to the archive root");
    }
    let sha256 = get("sha256").to_string();
    if sha256.len() != 64
        || !sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        bail!("{id}: sha256 {sha256:?} is not 64 lowercase hex digits");
    }
    let bytes: u64 = get("bytes")
        .parse()
        .map_err(|_| anyhow::anyhow!("{id}: bytes {:?} is not a number", get("bytes")))?;
    let kind = match get("kind") {
        "core" => Kind::Core,
        "component" => Kind::Component,
        other => bail!("{id}: unknown kind {other:?} (expected core or component)"),
    };
    let features = match get("features") {
        "" | "-" | "mvp" | "n/a" => Vec::new(),
        list => list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(String::from)
            .collect(),
    };

    Ok(Entry {
        registry,
        package,
        version,
        path,
        sha256,
        bytes,
        kind,
        features,
        producer: get("producer").to_string(),
        license: get("license").to_string(),
        notes: get("notes").to_string(),
        id,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "id\tregistry\tpackage\tversion\tpath\tsha256\tbytes\tkind\tfeatures\tnotes";
    const SHA: &str = "322b00649f412e75e047c79741b6b89e6323f6f81034d114a9e8ab872bae7435";

    fn row(id: &str, registry: &str, sha: &str, bytes: &str, kind: &str, features: &str) -> String {
        format!("{id}\t{registry}\t@scope/pkg\t1.2.3\tpackage/x.wasm\t{sha}\t{bytes}\t{kind}\t{features}\tsome note")
    }

    fn parse(rows: &[String]) -> Result<Manifest> {
        let mut text = String::from(HEADER);
        for r in rows {
            text.push('\n');
            text.push_str(r);
        }
        text.push('\n');
        Manifest::parse(&text)
    }

    fn err(rows: &[String]) -> String {
        format!("{:#}", parse(rows).unwrap_err())
    }

    #[test]
    fn parses_rows() {
        let m = parse(&[
            row("a", "npm", SHA, "123", "core", "sign-ext,bulk-memory"),
            row("b.x_y-z", "pypi", SHA, "7", "component", "n/a"),
            row("c", "npm", SHA, "0", "core", "mvp"),
        ])
        .unwrap();
        assert_eq!(m.entries.len(), 3);
        let a = &m.entries[0];
        assert_eq!(a.id, "a");
        assert_eq!(a.registry, Registry::Npm);
        assert_eq!(a.package, "@scope/pkg");
        assert_eq!(a.version, "1.2.3");
        assert_eq!(a.path, "package/x.wasm");
        assert_eq!(a.sha256, SHA);
        assert_eq!(a.bytes, 123);
        assert_eq!(a.kind, Kind::Core);
        assert_eq!(a.features, ["sign-ext", "bulk-memory"]);
        assert_eq!(a.notes, "some note");
        assert_eq!(a.column("version"), Some("1.2.3"));
        assert_eq!(a.column("nonexistent"), None);
        assert_eq!(a.package_spec(), "@scope/pkg@1.2.3");
        assert_eq!(
            a.cache_file(Path::new("/c")),
            Path::new("/c/a.wasm").to_path_buf()
        );
        let b = m.get("b.x_y-z").unwrap();
        assert_eq!(b.registry, Registry::Pypi);
        assert_eq!(b.kind, Kind::Component);
        assert!(b.features.is_empty());
        assert_eq!(b.package_spec(), "@scope/pkg==1.2.3");
        assert!(m.get("c").unwrap().features.is_empty());
    }

    #[test]
    fn tolerates_crlf_blank_lines_and_reordered_columns() {
        let text = format!(
            "kind\tbytes\tsha256\tpath\tversion\tpackage\tregistry\tid\r\n\r\n\
             core\t5\t{SHA}\tp/x.wasm\t1\tpkg\tnpm\tx\r\n"
        );
        let m = Manifest::parse(&text).unwrap();
        assert_eq!(m.entries.len(), 1);
        assert_eq!(m.entries[0].id, "x");
        assert_eq!(m.entries[0].bytes, 5);
        assert!(m.entries[0].features.is_empty());
        assert_eq!(m.entries[0].producer, "");
    }

    #[test]
    fn rejects_bad_rows() {
        let upper = SHA.to_uppercase();
        let cases = [
            (row("a", "cargo", SHA, "1", "core", ""), "unknown registry"),
            (
                row("a", "npm", "abc", "1", "core", ""),
                "not 64 lowercase hex",
            ),
            (
                row("a", "npm", &upper, "1", "core", ""),
                "not 64 lowercase hex",
            ),
            (row("a", "npm", SHA, "1k", "core", ""), "not a number"),
            (row("a", "npm", SHA, "1", "module", ""), "unknown kind"),
            (
                row("../a", "npm", SHA, "1", "core", ""),
                "not a plain file name",
            ),
            (row("", "npm", SHA, "1", "core", ""), "empty id"),
            ("a\tnpm".to_string(), "2 fields, header has 10"),
        ];
        for (r, want) in cases {
            let msg = err(std::slice::from_ref(&r));
            assert!(msg.contains(want), "{r:?}: {msg:?} lacks {want:?}");
            assert!(msg.contains("line 2"), "{msg:?} lacks the line number");
            assert!(!msg.contains('\n'), "{msg:?} is not one line");
        }
    }

    #[test]
    fn rejects_duplicates_and_missing_columns() {
        let r = row("a", "npm", SHA, "1", "core", "");
        assert!(err(&[r.clone(), r.clone()]).contains("line 3: duplicate id \"a\""));
        assert!(
            format!("{:#}", Manifest::parse("id\tregistry\n").unwrap_err())
                .contains("missing column(s) package, version, path, sha256, bytes, kind")
        );
        assert!(Manifest::parse("").is_err());
    }

    #[test]
    fn select_by_ids() {
        let m = parse(&[
            row("a", "npm", SHA, "1", "core", ""),
            row("b", "npm", SHA, "1", "core", ""),
            row("c", "npm", SHA, "1", "core", ""),
        ])
        .unwrap();
        assert_eq!(m.select::<&str>(None).unwrap().len(), 3);
        let picked: Vec<&str> = m
            .select(Some(&["c", "a"]))
            .unwrap()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(picked, ["a", "c"]);
        let msg = format!("{:#}", m.select(Some(&["a", "zz", "yy"])).unwrap_err());
        assert_eq!(msg, "unknown corpus id(s): yy, zz");
    }

    #[test]
    fn bundled_manifest_parses() {
        let m = Manifest::bundled().unwrap();
        assert!(m.entries.len() >= 40, "only {} entries", m.entries.len());
        assert!(m.entries.iter().any(|e| e.kind == Kind::Component));
        assert!(m.entries.iter().any(|e| e.registry == Registry::Pypi));
    }
}
