//! Go module info: the tab-separated text of the build info (`path`, `mod`, `dep`, `=>`,
//! `build` lines) → main module, dependencies with versions and sums, replacements, settings.

use binsight_model::GoModule;

/// Lines of module info read.
const MAX_LINES: usize = 100_000;

/// Parsed module info.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ModInfo {
    /// The main package's import path (`path` line); `None` when there is none.
    pub path: Option<String>,
    /// The main module (`mod` line); `None` when there is none.
    pub main: Option<GoModule>,
    /// The dependencies (`dep` lines, with their `=>` replacements).
    pub deps: Vec<GoModule>,
    /// The build settings (`build` lines) as key and value, in file order.
    pub settings: Vec<(String, String)>,
    /// Lines that did not parse, or limits hit.
    pub truncated: bool,
}

fn module(fields: &[&str]) -> Option<GoModule> {
    let path = fields.first()?.to_string();
    let version = fields.get(1).map(|v| v.to_string()).unwrap_or_default();
    let sum = fields.get(2).filter(|s| !s.is_empty()).map(|s| s.to_string());
    (!path.is_empty()).then_some(GoModule { path, version, sum, replace: None })
}

/// Parse the tab-separated module info text (`path`, `mod`, `dep`, `=>`, `build` lines).
pub fn parse_modinfo(text: &str) -> ModInfo {
    let mut m = ModInfo::default();
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_LINES {
            m.truncated = true;
            break;
        }
        if line.is_empty() {
            continue;
        }
        let Some((kind, rest)) = line.split_once('\t') else {
            m.truncated = true;
            continue;
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        match kind {
            "path" => m.path = Some(rest.to_string()),
            "mod" => m.main = module(&fields),
            "dep" => match module(&fields) {
                Some(d) => m.deps.push(d),
                None => m.truncated = true,
            },
            "=>" => {
                // Replaces the module on the line before (a dep, or the main module).
                let r = module(&fields).map(Box::new);
                match m.deps.last_mut().or(m.main.as_mut()) {
                    Some(prev) if r.is_some() => prev.replace = r,
                    _ => m.truncated = true,
                }
            }
            "build" => match rest.split_once('=') {
                Some((k, v)) => m.settings.push((k.to_string(), v.to_string())),
                None => m.truncated = true,
            },
            _ => m.truncated = true,
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo_lines() {
        let t = "path\texample.com/cmd/x\nmod\texample.com\t(devel)\t\ndep\tgolang.org/x/sys\tv0.1.0\th1:abc=\ndep\tgithub.com/a/b\tv1.0.0\th1:def=\n=>\t../b\t(devel)\t\nbuild\t-compiler=gc\nbuild\tCGO_ENABLED=0\nbuild\tvcs.revision=0123\n";
        let m = parse_modinfo(t);
        assert_eq!(m.path.as_deref(), Some("example.com/cmd/x"));
        assert_eq!(m.main.as_ref().map(|x| x.version.as_str()), Some("(devel)"));
        assert_eq!(m.deps.len(), 2);
        assert_eq!(m.deps[0].sum.as_deref(), Some("h1:abc="));
        assert_eq!(m.deps[1].replace.as_ref().map(|r| r.path.as_str()), Some("../b"));
        assert_eq!(m.settings[1], ("CGO_ENABLED".into(), "0".into()));
        assert!(!m.truncated);
        // Lying input: a replacement with nothing before it, junk lines.
        let m = parse_modinfo("=>\tx\tv1\nnonsense\ndep\t\n");
        assert!(m.truncated);
        assert!(m.deps.is_empty());
    }
}
