//! insta filters for whole-output snapshots: only what varies between runs or machines is
//! replaced, each by a named placeholder; everything else (hashes of the fixed fixtures above
//! all: they prove which file was read) stays visible.

use std::path::Path;

/// Escape `s` for use as a literal in a regex.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The filters, as (regex, replacement) pairs: the paths first (longest first), then the rules
/// in the order they were added.
pub struct Filters {
    paths: Vec<(String, String)>,
    rules: Vec<(String, String)>,
}

impl Default for Filters {
    fn default() -> Filters {
        Filters::new()
    }
}

impl Filters {
    /// The filters every binsight snapshot needs:
    /// - the corpus directory → `[CORPUS]`: it is under the user's cache directory;
    /// - the system temporary directory's random entries → `[TMP]`;
    /// - binsight's version → `[VERSION]`, only where binsight names itself (`binsight 0.1.0`,
    ///   `binsight-0.1.0`, the SBOM tool component, the SARIF driver): it changes with every
    ///   release, and a crate of a fixture at the same version stays visible;
    /// - the run's duration at the end of the scan summary → `[TIME]s`;
    /// - ages of advisory data in days, `(N days old`, which grow each day → `([N] days old`
    ///   (the fixed "over 30 days old" stays);
    /// - today's date where `db status` says data was imported today → `[TODAY]`.
    pub fn new() -> Filters {
        let version = escape(env_version());
        let mut f = Filters { paths: Vec::new(), rules: Vec::new() };
        f.path(&crate::corpus::dir(), "[CORPUS]");
        let tmp = std::env::temp_dir();
        f.add(&format!(r"{}/\.tmp[A-Za-z0-9]{{6}}", escape(&tmp.display().to_string())), "[TMP]");
        f.add(&format!(r"(binsight[ /@v:-]{{1,3}}){version}\b"), "${1}[VERSION]");
        f.add(&format!(r#"("name": ?"binsight",[^}}]{{0,200}}?"version": ?"){version}""#), "${1}[VERSION]\"");
        f.add(&format!(r#"("version": ?"){version}("[^}}]{{0,200}}?"name": ?"binsight")"#), "${1}[VERSION]${2}");
        // SARIF's tool driver: `"semanticVersion"` then `"version"`.
        f.add(&format!(r#"("semanticVersion": ?"){version}""#), "${1}[VERSION]\"");
        f.add(&format!(r#"("semanticVersion": ?"\[VERSION\]",\s*"version": ?"){version}""#), "${1}[VERSION]\"");
        f.add(r"(skipped, )\d+\.\d{2}s\b", "${1}[TIME]s");
        f.add(r"\(\d+ days? old\b", "([N] days old");
        f.add(&format!("(imported ){}", escape(&today())), "${1}[TODAY]");
        f
    }

    /// SBOM serial numbers and SPDX namespaces → `[UUID]`. Not in [`Filters::new`]: binsight
    /// derives them from SOURCE_DATE_EPOCH and the paths and hashes of the binaries, so under
    /// a fixed SOURCE_DATE_EPOCH and relative paths they are the same on every run and stay
    /// visible; use this for SBOMs of files under temporary paths.
    pub fn uuids(&mut self) -> &mut Filters {
        self.add(
            r"(urn:uuid:|/spdxdocs/binsight-)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "${1}[UUID]",
        )
    }

    /// Replace matches of `regex` with `replacement` (after the filters added before).
    pub fn add(&mut self, regex: &str, replacement: &str) -> &mut Filters {
        self.rules.push((regex.to_string(), replacement.to_string()));
        self
    }

    /// Replace the path `p` (as given and canonicalized) with `placeholder`, before any rule.
    pub fn path(&mut self, p: &Path, placeholder: &str) -> &mut Filters {
        let mut forms = vec![p.display().to_string()];
        if let Ok(c) = p.canonicalize() {
            forms.push(c.display().to_string());
        }
        for s in forms {
            if !self.paths.iter().any(|(re, _)| *re == escape(&s)) {
                self.paths.push((escape(&s), placeholder.to_string()));
            }
        }
        // Longest first: a path inside another is replaced by its own name.
        self.paths.sort_by_key(|(re, _)| std::cmp::Reverse(re.len()));
        self
    }

    /// insta settings applying these filters (snapshots in the default `snapshots/` folder).
    pub fn settings(&self) -> insta::Settings {
        let mut s = insta::Settings::clone_current();
        for (re, with) in self.paths.iter().chain(&self.rules) {
            s.add_filter(re, with.as_str());
        }
        s.set_prepend_module_to_snapshot(false);
        s
    }
}

/// binsight's version (all crates of the workspace share it).
fn env_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
