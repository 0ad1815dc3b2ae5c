//! Go packages of a build without module lines (GOPATH builds: Debian's `/usr/share/gocode`,
//! old toolchains) from the function names of the pclntab, turned into module paths by the
//! hosts' layouts (`data/go-module-hosts.tsv`). No versions: such builds record none.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::tsv::{self, TableError};
use crate::Meter;

const HOSTS: &str = include_str!("../../data/go-module-hosts.tsv");
/// Longest function name looked at.
const MAX_NAME: usize = 1024;
/// Distinct modules listed, at most.
const MAX_MODULES: usize = 10_000;

/// A row of `data/go-module-hosts.tsv`.
#[derive(Debug, Clone)]
pub struct Host {
    /// The module paths' common start (`github.com`, `golang.org/x`).
    pub prefix: String,
    /// How many path elements the module path has.
    pub elements: usize,
}

/// Parse `data/go-module-hosts.tsv`; `Err` names the first bad row.
pub fn parse_hosts(text: &str) -> Result<Vec<Host>, TableError> {
    tsv::load("go-module-hosts.tsv", text, 3, |row| {
        row.required(2, "source")?;
        Ok(Host { prefix: row.required(0, "host prefix")?.into(), elements: row.number(1, "elements")? })
    })
}

fn hosts() -> &'static [Host] {
    static T: OnceLock<Vec<Host>> = OnceLock::new();
    tsv::compiled(&T, || parse_hosts(HOSTS))
}

/// A module the binary's packages belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageModule {
    /// The module path (`github.com/pkg/sftp`).
    pub path: String,
    /// How many of the binary's packages are in it.
    pub packages: usize,
    /// One of them, for the evidence.
    pub example: String,
    /// `true` when the host's layout is not in the table and the path is the longest one its
    /// packages share (a guess).
    pub guessed: bool,
    /// The version, when a module-cache file path names it (`golang.org/x/sys@v0.1.0/unix/…`).
    pub version: Option<String>,
}

/// Where a pclntab string puts its package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// A package path (from a function name, or a GOPATH / distro source path).
    Package(String),
    /// A module at a version, from a module-cache path (`MODULE@VERSION/…`).
    Module(String, String),
}

/// What a pclntab string (a function name or a source file path) names: a package of a
/// non-standard-library module, or a module at a version. `None` for the standard library,
/// `main`, compiler-made names and anything that does not parse.
pub fn named(s: &str) -> Option<Named> {
    if s.ends_with(".go") || s.ends_with(".s") {
        return file_path(s);
    }
    package_of(s).map(Named::Package)
}

/// A source file path: a module-cache path names its module and version; a GOPATH or distro
/// path (`/usr/share/gocode/src/github.com/pkg/sftp/client.go`) its package.
fn file_path(s: &str) -> Option<Named> {
    let dir = &s[..s.rfind('/')?];
    if let Some(at) = dir.find('@') {
        // [/…/pkg/mod/]MODULE@VERSION[/pkg…]; module paths escape capitals as `!x`.
        let start = dir[..at].rfind("/pkg/mod/").map_or(0, |i| i + "/pkg/mod/".len());
        let module = unescape_module(dir[start..at].trim_start_matches('/'))?;
        let version = dir[at + 1..].split('/').next()?;
        let ok = version.starts_with('v') && version.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b));
        let host_ok = module.split('/').next().is_some_and(|h| h.contains('.'));
        return (ok && host_ok && module.contains('/')).then(|| Named::Module(module, version.to_string()));
    }
    let pkg = &dir[dir.rfind("/src/")? + "/src/".len()..];
    let pkg = pkg.rfind("/vendor/").map_or(pkg, |i| &pkg[i + "/vendor/".len()..]);
    let host = pkg.split('/').next()?;
    let ok = pkg.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' && b != b'@');
    (ok && host.contains('.') && !pkg.starts_with("vendor/")).then(|| Named::Package(pkg.to_string()))
}

/// `github.com/!burnt!sushi/toml` → `github.com/BurntSushi/toml`; `None` on bytes no module
/// path has.
fn unescape_module(p: &str) -> Option<String> {
    let mut out = String::with_capacity(p.len());
    let mut bang = false;
    for c in p.chars() {
        if !(c.is_ascii_graphic()) || c == '"' || c == '\\' {
            return None;
        }
        match (bang, c) {
            (false, '!') => bang = true,
            (true, c) if c.is_ascii_lowercase() => {
                out.push(c.to_ascii_uppercase());
                bang = false;
            }
            (true, _) => return None,
            (false, c) => out.push(c),
        }
    }
    (!bang && !out.is_empty()).then_some(out)
}

/// The package a function name belongs to (`github.com/pkg/sftp.(*Client).Open` →
/// `github.com/pkg/sftp`); `None` for the standard library, `main`, and compiler-made names.
/// Go escapes `.` (and other bytes) in the last element of a package path as `%2e` in symbol
/// names (`gopkg.in/yaml%2ev3.Unmarshal`): the returned path has them unescaped.
pub fn package_of(name: &str) -> Option<String> {
    if name.starts_with("type:") || name.starts_with("type..") || name.starts_with("go:") {
        return None;
    }
    let pkg = &name[..package_prefix(name)?];
    // A vendored copy is the vendored package (std's own vendor/ tree is the standard library).
    let pkg = match pkg.rfind("/vendor/") {
        Some(i) => &pkg[i + "/vendor/".len()..],
        None if pkg.starts_with("vendor/") => return None,
        None => pkg,
    };
    let host = pkg.split('/').next()?;
    let ok = pkg.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
    (ok && host.contains('.')).then(|| unescape(pkg))?
}

/// The length of a function name's package path, as written: it ends at the first `.` after its
/// last `/` (before any receiver or type arguments, which may hold other paths).
fn package_prefix(name: &str) -> Option<usize> {
    let head = &name[..name.find(['(', '[']).unwrap_or(name.len())];
    let last_slash = head.rfind('/')?;
    Some(head[last_slash..].find('.')? + last_slash)
}

/// A cheap first look: a source path (`/…`, `….go`, `….s`), or a name whose first path element
/// is a host (has a `.` before the first `/`). The standard library's names (`runtime.main`,
/// `net/http.(*Client).Do`), most of a binary's, fail it.
fn could_name_a_package(raw: &[u8]) -> bool {
    if raw[0] == b'/' || raw.ends_with(b".go") || raw.ends_with(b".s") {
        return true;
    }
    match memchr::memchr(b'/', raw) {
        Some(i) => memchr::memchr(b'.', &raw[..i]).is_some(),
        None => false,
    }
}

/// `%2e` → `.` (the linker's escapes: `%` and two hex digits); `None` on a malformed escape or
/// a byte that is no path byte.
fn unescape(pkg: &str) -> Option<String> {
    let b = pkg.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            let c = u8::from_str_radix(hex, 16).ok().filter(|c| c.is_ascii_graphic())?;
            out.push(char::from(c));
            i += 3;
        } else {
            out.push(char::from(b[i]));
            i += 1;
        }
    }
    Some(out)
}

/// The module path of package `pkg` by its host's layout
/// (`github.com/containers/skopeo/cmd/skopeo` → `github.com/containers/skopeo`); `None` when
/// the host is not in the table or the path has fewer elements than the host's module paths.
pub fn module_by_host(pkg: &str) -> Option<String> {
    let h = hosts().iter().find(|h| pkg == h.prefix || pkg.starts_with(&format!("{}/", h.prefix)))?;
    let parts: Vec<&str> = pkg.split('/').collect();
    let mut n = h.elements;
    if h.prefix == "gopkg.in" && parts.get(1).is_some_and(|p| !p.contains(".v")) {
        n = 3; // gopkg.in/OWNER/NAME.vN
    }
    if parts.len() < n {
        return None;
    }
    if parts.get(n).is_some_and(|p| is_major_suffix(p)) {
        n += 1;
    }
    Some(parts[..n].join("/"))
}

/// `v2`, `v10`: Go's major-version element.
fn is_major_suffix(p: &str) -> bool {
    p.strip_prefix('v').is_some_and(|d| d.len() <= 4 && d.parse::<u32>().is_ok_and(|n| n >= 2))
}

/// The modules of the packages whose functions or source files are in `names` (a pclntab's
/// NUL-separated function name and file tables). A module-cache path gives its module's
/// version. Charges `meter` per name; stops with what it has when it runs out.
pub fn modules_from_function_names(names: &[u8], meter: &mut Meter) -> Vec<PackageModule> {
    let mut packages: BTreeMap<String, ()> = BTreeMap::new();
    let mut versioned: BTreeMap<String, String> = BTreeMap::new();
    // The pclntab lists a package's functions together: a name in the package just parsed is
    // skipped without parsing it again.
    let mut last: &[u8] = &[];
    let mut start = 0;
    let ends = memchr::memchr_iter(0, names).chain(std::iter::once(names.len()));
    for end in ends {
        let raw = &names[start..end];
        start = end + 1;
        if meter.work(raw.len() as u64 + 1).is_err() || packages.len() >= MAX_MODULES * 16 {
            break;
        }
        if raw.len() > MAX_NAME || raw.len() < 4 || !could_name_a_package(raw) {
            continue;
        }
        if !last.is_empty() && raw.starts_with(last) && raw.get(last.len()) == Some(&b'.') {
            // Same package only if no `/` follows before a receiver or type arguments
            // (`github.com/a/b.v2/x.F` is another package).
            let rest = &raw[last.len()..];
            let head = &rest[..memchr::memchr2(b'(', b'[', rest).unwrap_or(rest.len())];
            if memchr::memchr(b'/', head).is_none() {
                continue;
            }
        }
        let Ok(name) = std::str::from_utf8(raw) else { continue };
        if let Some(n) = package_prefix(name) {
            last = &raw[..n];
        }
        match named(name) {
            Some(Named::Package(p)) => {
                packages.insert(p, ());
            }
            Some(Named::Module(m, v)) => {
                versioned.entry(m).or_insert(v);
            }
            None => {}
        }
    }
    let mut by_module: BTreeMap<String, PackageModule> = BTreeMap::new();
    let mut unknown_host: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (m, v) in &versioned {
        let e = by_module.entry(m.clone()).or_insert(PackageModule {
            path: m.clone(),
            packages: 0,
            example: format!("{m}@{v}"),
            guessed: false,
            version: None,
        });
        e.version = Some(v.clone());
    }
    for pkg in packages.keys() {
        let pkg = pkg.as_str();
        // A package of a module a cache path named: that module, not a guess.
        if let Some(m) = versioned.keys().find(|m| pkg == m.as_str() || pkg.starts_with(&format!("{m}/"))) {
            if let Some(e) = by_module.get_mut(m) {
                e.packages += 1;
            }
            continue;
        }
        match module_by_host(pkg) {
            Some(m) => {
                let e = by_module.entry(m.clone()).or_insert(PackageModule {
                    path: m,
                    packages: 0,
                    example: pkg.to_string(),
                    guessed: false,
                    version: None,
                });
                e.packages += 1;
            }
            None => {
                let key: String = pkg.split('/').take(2).collect::<Vec<_>>().join("/");
                unknown_host.entry(key).or_default().push(pkg);
            }
        }
    }
    for (_, pkgs) in unknown_host {
        let common = common_path(&pkgs);
        if common.split('/').count() < 2 {
            continue; // a bare host is no module anyone could look up
        }
        by_module.insert(
            common.clone(),
            PackageModule {
                path: common,
                packages: pkgs.len(),
                example: pkgs[0].to_string(),
                guessed: true,
                version: None,
            },
        );
    }
    by_module.into_values().take(MAX_MODULES).collect()
}

/// The longest path (whole elements) every one of `paths` starts with.
fn common_path(paths: &[&str]) -> String {
    let mut common: Vec<&str> = paths[0].split('/').collect();
    for p in &paths[1..] {
        let n = common.iter().zip(p.split('/')).take_while(|(a, b)| *a == b).count();
        common.truncate(n);
    }
    common.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_name_packages() {
        let p = |n: &str| package_of(n);
        assert_eq!(p("github.com/pkg/sftp.(*Client).Open").as_deref(), Some("github.com/pkg/sftp"));
        assert_eq!(p("github.com/pkg/sftp.init.0").as_deref(), Some("github.com/pkg/sftp"));
        assert_eq!(p("gopkg.in/yaml%2ev3.(*parser).parse").as_deref(), Some("gopkg.in/yaml.v3"));
        assert_eq!(p("golang.org/x/net/http2.(*Framer).ReadFrame").as_deref(), Some("golang.org/x/net/http2"));
        assert_eq!(p("go.uber.org/zap.New").as_deref(), Some("go.uber.org/zap"));
        assert_eq!(
            p("github.com/x/y/lib.Map[go.shape.string,github.com/a/b.T].Get").as_deref(),
            Some("github.com/x/y/lib")
        );
        assert_eq!(p("github.com/restic/restic/vendor/github.com/kr/fs.Walk").as_deref(), Some("github.com/kr/fs"));
        assert_eq!(p("github.com/a/b%zz.F"), None);
        assert_eq!(p("github.com/a/b%1b.F"), None);
        assert_eq!(package_of("vendor/golang.org/x/net/dns/dnsmessage.(*Parser).Start"), None);
        assert_eq!(package_of("net/http.(*Client).Do"), None);
        assert_eq!(package_of("main.main"), None);
        assert_eq!(package_of("type:.eq.github.com/x/y.T"), None);
        assert_eq!(package_of("go:buildid"), None);
    }

    #[test]
    fn modules_follow_the_hosts_layout() {
        let names = b"github.com/pkg/sftp.(*Client).Open\0github.com/pkg/sftp/internal/encoding/ssh/filexfer.X\0\
            github.com/minio/minio-go/v7.(*Client).PutObject\0github.com/minio/minio-go/v7/pkg/s3utils.F\0\
            golang.org/x/net/http2.F\0golang.org/x/net/idna.G\0gopkg.in/yaml%2ev3.(*parser).parse\0\
            gopkg.in/alecthomas/kingpin%2ev2.New\0google.golang.org/grpc/codes.F\0\
            go.opentelemetry.io/otel/trace.F\0go.opentelemetry.io/otel/attribute.G\0\
            bazil.org/fuse.Mount\0bazil.org/fuse/fs.Serve\0runtime.main\0main.main\0";
        let m = modules_from_function_names(names, &mut Meter::new(crate::Budget::default()));
        let got: Vec<(&str, usize, bool)> = m.iter().map(|m| (m.path.as_str(), m.packages, m.guessed)).collect();
        assert_eq!(
            got,
            [
                ("bazil.org/fuse", 2, true),
                ("github.com/minio/minio-go/v7", 2, false),
                ("github.com/pkg/sftp", 2, false),
                ("go.opentelemetry.io/otel", 2, true),
                ("golang.org/x/net", 2, false),
                ("google.golang.org/grpc", 1, false),
                ("gopkg.in/alecthomas/kingpin.v2", 1, false),
                ("gopkg.in/yaml.v3", 1, false),
            ]
        );
    }

    #[test]
    fn file_paths_name_packages_and_module_versions() {
        let n = |s: &str| named(s);
        assert_eq!(
            n("golang.org/x/sys@v0.0.0-20220715151400-c0bba94af5f8/unix/syscall_linux.go"),
            Some(Named::Module("golang.org/x/sys".into(), "v0.0.0-20220715151400-c0bba94af5f8".into()))
        );
        assert_eq!(
            n("/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.3.2/decode.go"),
            Some(Named::Module("github.com/BurntSushi/toml".into(), "v1.3.2".into()))
        );
        assert_eq!(
            n("/usr/share/gocode/src/github.com/pkg/sftp/client.go"),
            Some(Named::Package("github.com/pkg/sftp".into()))
        );
        assert_eq!(n("/usr/lib/go-1.19/src/net/http/server.go"), None);
        assert_eq!(
            n("/build/x/_build/src/github.com/restic/restic/internal/fs/file.go"),
            Some(Named::Package("github.com/restic/restic/internal/fs".into()))
        );
        assert_eq!(n("github.com/a/b@latest!/x.go"), None);
        let names = b"golang.org/x/sys@v0.1.0/unix/a.go\0golang.org/x/sys/unix.Syscall\0github.com/evanw/esbuild/internal/js_parser.Parse\0";
        let m = modules_from_function_names(names, &mut Meter::new(crate::Budget::default()));
        let got: Vec<(&str, Option<&str>, usize)> =
            m.iter().map(|m| (m.path.as_str(), m.version.as_deref(), m.packages)).collect();
        assert_eq!(got, [("github.com/evanw/esbuild", None, 1), ("golang.org/x/sys", Some("v0.1.0"), 1)]);
        // A package whose path extends the previous one's past a dot is another package.
        let names = b"github.com/a/b.F\0github.com/a/b.v2/x.G\0";
        let m = modules_from_function_names(names, &mut Meter::new(crate::Budget::default()));
        assert_eq!(m.iter().map(|m| m.packages).sum::<usize>(), 2);
    }

    #[test]
    fn hostile_name_tables_are_bounded() {
        let mut names = Vec::new();
        for i in 0..50_000 {
            names.extend_from_slice(format!("h{i}.example/p.F\0").as_bytes());
        }
        names.extend(std::iter::repeat_n(b'x', 1 << 20)); // one huge name: skipped
        names.extend_from_slice(b"\0github.com/\x1b[31m/x.F\0github.com/a\"b/c.F\0");
        let mut meter = Meter::new(crate::Budget::default());
        let m = modules_from_function_names(&names, &mut meter);
        assert_eq!(m.len(), MAX_MODULES);
        assert!(m.iter().all(|m| m.path.starts_with('h')), "bad bytes name no module");
        let mut meter = Meter::new(crate::Budget { work: 1000, ..crate::Budget::default() });
        assert!(modules_from_function_names(&names, &mut meter).len() < 100);
        assert!(meter.exceeded().is_some());
    }
}
