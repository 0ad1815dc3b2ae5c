//! `binsight pack`: static binaries (given, or built with cargo) into a minimal OCI image,
//! checked by the inspection engine first and audited with the default advisory database: the
//! image carries the binary's CycloneDX SBOM and, when the audit found something, its OpenVEX
//! document (whether each vulnerability's code is linked) as an in-toto attestation.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _, Result};
use binsight_model::{Applicability, BinaryReport, ImageRef, Linkage, PortabilityVerdict};
use binsight_pack::{Binary, Entry, Options, PackError, Platform, Vex, VexImage};
use binsight_source::registry;

use crate::args::{self, CaCerts};
use crate::fail::{bail_usage, Mark as _};

#[derive(clap::Args, Debug)]
pub struct PackArgs {
    /// Static executables to pack, one per platform (omit with --cargo).
    #[arg(value_name = "BINARY")]
    pub binaries: Vec<PathBuf>,
    /// Image name [HOST[:PORT]/]REPO[:TAG] (no HOST: Docker Hub); repeatable or comma-separated.
    #[arg(long, required = true, value_name = "REF", value_delimiter = ',', value_parser = args::image_tag)]
    pub tag: Vec<String>,
    /// Build the binaries with `cargo build --release` in the current directory first.
    #[arg(long)]
    pub cargo: bool,
    /// With --cargo: the package to build.
    #[arg(long, short = 'p', value_name = "SPEC")]
    pub package: Option<String>,
    /// With --cargo: the binary target, when the package has several.
    #[arg(long, value_name = "NAME")]
    pub bin: Option<String>,
    /// With --cargo: target triples, comma-separated (default x86_64-unknown-linux-musl).
    #[arg(long, value_delimiter = ',', value_name = "TRIPLE[,TRIPLE]")]
    pub target: Vec<String>,
    /// The platform of a single BINARY (default: read from its ELF header); a mismatch is refused.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_parser = args::platform)]
    pub platform: Option<String>,
    /// Write an OCI image layout to DIR.
    #[arg(long, value_name = "DIR")]
    pub oci_layout: Option<PathBuf>,
    /// Write a `docker load`-able archive (which also holds the OCI layout) to FILE.
    #[arg(long, value_name = "FILE")]
    pub tarball: Option<PathBuf>,
    /// Push to the registry named by --tag (credentials as for `scan registry:`).
    #[arg(long)]
    pub push: bool,
    /// Pack dynamically linked or host-dependent binaries anyway (the image has no libc).
    #[arg(long)]
    pub allow_dynamic: bool,
    /// CA bundle for /etc/ssl/certs/ca-certificates.crt: a PEM file, or `none` (default: the
    /// host's, from Debian's ca-certificates).
    #[arg(long, value_name = "FILE|none", value_parser = args::ca_certs)]
    pub ca_certs: Option<CaCerts>,
    /// Add the host's /usr/share/zoneinfo (Debian tzdata).
    #[arg(long)]
    pub tzdata: bool,
    /// Add the host's /etc/services.
    #[arg(long)]
    pub services: bool,
    /// Numeric user and group the entrypoint runs as.
    #[arg(long, default_value_t = 65532, value_name = "UID")]
    pub user: u32,
    /// Do not attach the CycloneDX SBOM artifact.
    #[arg(long)]
    pub no_sbom: bool,
    /// Do not attach the OpenVEX attestation (none is attached when the audit finds nothing).
    #[arg(long)]
    pub no_vex: bool,
    /// Replace an existing --tarball file, or an existing --oci-layout that is an OCI image
    /// layout (oci-layout, index.json, blobs/ and nothing else; never the current directory).
    #[arg(long)]
    pub force: bool,
    /// Speak plain HTTP to the registry (loopback registries always get plain HTTP).
    #[arg(long)]
    pub plain_http: bool,
}

const HOST_CA: &str = "/etc/ssl/certs/ca-certificates.crt";
const MAX_BINARY: u64 = 1 << 30;
const MAX_TZDATA: u64 = 64 << 20;

/// `cargo build --release --target T` and the path of the one executable it produced.
fn cargo_build(args: &PackArgs, target: &str) -> Result<PathBuf> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(["build", "--release", "--message-format=json-render-diagnostics", "--target", target]);
    if let Some(p) = &args.package {
        cmd.args(["--package", p]);
    }
    if let Some(b) = &args.bin {
        cmd.args(["--bin", b]);
    }
    // musl targets link self-contained; for a foreign architecture, rust-lld avoids needing a
    // cross C toolchain. An explicit linker setting wins.
    let var = format!("CARGO_TARGET_{}_LINKER", target.to_uppercase().replace(['-', '.'], "_"));
    let host_arch = std::env::consts::ARCH;
    if target.contains("-musl") && !target.starts_with(host_arch) && std::env::var_os(&var).is_none() {
        eprintln!("binsight: linking {target} with rust-lld (set {var} to use another linker)");
        cmd.env(&var, "rust-lld");
    }
    cmd.stderr(std::process::Stdio::inherit());
    let out = cmd.output().context("running cargo")?;
    if !out.status.success() {
        bail!(
            "cargo build --release --target {target} failed ({}); is the target installed? rustup target add {target}",
            out.status
        );
    }
    let mut exes = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if v["reason"] == "compiler-artifact" {
            if let Some(e) = v["executable"].as_str() {
                exes.push(PathBuf::from(e));
            }
        }
    }
    match exes.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("cargo built no executable for {target}; name the package (--package) or binary (--bin)"),
        many => bail!(
            "cargo built {} executables for {target} ({}); pick one with --bin",
            many.len(),
            many.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Read a whole file under a size cap (the scan's reader: clear errors naming the file).
fn read_capped(p: &Path, max: u64) -> Result<Vec<u8>> {
    // The message only: it already ends with the OS error.
    binsight_source::read_file(p, &binsight_source::Limits { max_file_size: max }).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The advisory database every binary is audited with, loaded once per run: `scan --audit`'s
/// default (imported sources, the compiled-in snapshot, binsight's own advisories), and the
/// problems loading it (for [`warn_db`]).
fn advisory_db() -> (binsight_advisory::Database, Vec<binsight_advisory::LoadWarning>) {
    binsight_advisory::load_for_audit(&binsight_advisory::store::data_dir(), &[])
}

/// Problems loading `db`, and data over 30 days old, on stderr as scan reports them: once the
/// binaries are found fit to pack (a refused binary's message stands alone).
fn warn_db(db: &binsight_advisory::Database, warnings: &[binsight_advisory::LoadWarning]) {
    for w in warnings {
        crate::db::eprint_load_warning(w);
    }
    crate::db::warn_stale(db);
}

/// The audit's verdict in one line: `audit: rebuild (1 finding linked: CVE-…; 3 not linked)`,
/// `audit: ok (no findings)`. Informational advisories (unmaintained, unsound) are not counted.
fn audit_summary(r: &BinaryReport) -> String {
    let action = r.verdict.as_ref().map_or("unknown", |v| v.action.as_str());
    let vulns: Vec<&binsight_model::Finding> =
        r.findings.iter().flatten().filter(|f| f.informational.is_none()).collect();
    let mut linked: Vec<&str> = vulns
        .iter()
        .filter(|f| f.applicability == Applicability::Affected)
        .map(|f| binsight_report::openvex::vulnerability_name(f))
        .collect();
    linked.sort_unstable();
    linked.dedup();
    let mut parts = Vec::new();
    if !linked.is_empty() {
        let more = if linked.len() > 3 { ", …" } else { "" };
        let s = if linked.len() == 1 { "" } else { "s" };
        parts.push(format!("{} finding{s} linked: {}{more}", linked.len(), linked[..linked.len().min(3)].join(", ")));
    }
    for (a, what) in
        [(Applicability::NotLinked, "not linked"), (Applicability::Unknown, "unknown"), (Applicability::Fixed, "fixed")]
    {
        let n = vulns.iter().filter(|f| f.applicability == a).count();
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if parts.is_empty() {
        parts.push("no findings".into());
    }
    format!("audit: {action} ({})", parts.join("; "))
}

/// The OpenVEX document of the audited `r` (its `path` the one in the image), for the image it
/// goes into; `None` when it would have no statement (OpenVEX requires one): no finding, or
/// informational ones only. Issued by `binsight` at `created`, the pack's time: reproducible.
fn vex_of(r: &BinaryReport, created: &str) -> Option<Vex> {
    binsight_report::openvex::stated(r).next()?;
    let (r, created) = (r.clone(), created.to_string());
    Some(Vex::new(move |i: &VexImage<'_>| {
        let mut r = r.clone();
        r.image = Some(ImageRef {
            manifest_digest: Some(i.manifest.to_string()),
            config_digest: i.config.to_string(),
            name: Some(i.name.to_string()),
        });
        let doc = binsight_report::openvex::openvex(std::slice::from_ref(&r), "binsight", &created);
        // Compact: the predicate of a one-line in-toto statement.
        serde_json::from_str::<serde_json::Value>(&doc).map_or(doc, |v| v.to_string())
    }))
}

/// Check one binary with the inspection engine, audit it against `db`, and turn it into a pack
/// input (with its SBOM and VEX unless --no-sbom / --no-vex).
fn check_binary(
    path: &Path,
    want: Option<&Platform>,
    args: &PackArgs,
    epoch: u64,
    db: &binsight_advisory::Database,
) -> Result<Binary> {
    let shown = path.display().to_string();
    let bytes = read_capped(path, MAX_BINARY)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut r = crate::analyze::analyze_and_audit(&shown, &bytes, Some(db))?;
    if r.elf.shared_library || r.elf.linkage == Linkage::None {
        bail!("{shown}: not an executable (a shared library or object file); pack needs a program");
    }
    let platform = Platform::of_machine(&r.elf.machine)
        .with_context(|| format!("{shown}: machine {} has no OCI platform name", r.elf.machine))?;
    if let Some(w) = want {
        if w.architecture != platform.architecture || w.os != platform.os {
            bail!("{shown} is an {} binary ({platform}), not {w}: build it for {w} or drop --platform", r.elf.machine);
        }
    }
    let platform = want.cloned().unwrap_or(platform);
    if !args.allow_dynamic {
        if r.elf.linkage == Linkage::Dynamic {
            let interp = r.elf.interpreter.clone().unwrap_or_else(|| "a dynamic loader".into());
            bail!(
                "{shown} is dynamically linked (needs {interp}, {}): the image has no libc. Build it static \
                 (e.g. --target x86_64-unknown-linux-musl) or pass --allow-dynamic",
                if r.elf.needed.is_empty() { "no DT_NEEDED".to_string() } else { r.elf.needed.join(", ") }
            );
        }
        if r.portability.verdict == PortabilityVerdict::NotPortable {
            bail!(
                "{shown} is static but not self-contained: {} (needs {}). Build it against musl, or pass --allow-dynamic",
                r.portability.summary,
                r.portability.runtime_needs.join(", ")
            );
        }
    }
    r.path = format!("/app/{name}");
    r.sha256 = binsight_pack::digest(&bytes).hex().to_string();
    let created = binsight_report::sbom::rfc3339(i64::try_from(epoch).unwrap_or(i64::MAX));
    // The SBOM is the inventory, as before the audit: the vulnerabilities go in the VEX.
    let sbom = (!args.no_sbom).then(|| {
        let inventory = BinaryReport { findings: None, suppressed: Vec::new(), verdict: None, ..r.clone() };
        let ctx = crate::advisory_context(None);
        binsight_report::sbom::cyclonedx(std::slice::from_ref(&inventory), &[], &created, &ctx).into_bytes()
    });
    let vex = if args.no_vex { None } else { vex_of(&r, &created) };
    // The file name and the strings read from the binary (its .comment, advisory ids) are escaped.
    eprintln!(
        "binsight: {}",
        binsight_report::sanitize(&format!(
            "{shown}: {platform}, {}, {}: ok to pack",
            binsight_report::libc_short(&r),
            binsight_report::toolchain_short(&r)
        ))
    );
    eprintln!("binsight: {}", binsight_report::sanitize(&format!("{shown}: {}", audit_summary(&r))));
    Ok(Binary { name, bytes, platform, sbom, vex })
}

/// The host's zoneinfo tree as base entries (files and symlinks, never followed).
fn tzdata() -> Result<Vec<Entry>> {
    let root = Path::new("/usr/share/zoneinfo");
    if !root.is_dir() {
        bail!("--tzdata: {} is missing; install Debian's tzdata", root.display());
    }
    let mut v = Vec::new();
    let mut total = 0u64;
    for e in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let e = e.with_context(|| format!("reading {}", root.display()))?;
        let rel = e.path().strip_prefix(root).unwrap_or(e.path());
        if rel.as_os_str().is_empty() {
            continue;
        }
        let path = format!("usr/share/zoneinfo/{}", rel.display());
        let ft = e.file_type();
        if ft.is_symlink() {
            let t = std::fs::read_link(e.path())?;
            v.push(Entry::Symlink { path, target: t.display().to_string() });
        } else if ft.is_file() {
            let data = read_capped(e.path(), MAX_TZDATA)?;
            total += data.len() as u64;
            if total > MAX_TZDATA {
                bail!("--tzdata: {} holds over {MAX_TZDATA} bytes", root.display());
            }
            v.push(Entry::File { path, data, mode: 0o644 });
        } else if ft.is_dir() {
            v.push(Entry::Dir { path, mode: 0o755 });
        }
    }
    Ok(v)
}

/// Whether `p` is what stdout is (the same pipe, terminal or file).
fn is_stdout(p: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (std::fs::metadata(p), std::fs::metadata("/dev/stdout")) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `SOURCE_DATE_EPOCH` (default 0), in the range RFC 3339 timestamps can say.
fn epoch() -> Result<u64> {
    Ok(binsight_report::sbom::source_date_epoch().map_err(anyhow::Error::new).usage()?.unwrap_or(0))
}

/// Refuse an output path binsight must not write (a usage error, found before anything is
/// built or pushed): an existing file without --force; for --oci-layout, anything but a new or
/// empty directory or (with --force) an existing OCI layout, and never the current directory
/// or one above it; for --tarball, a directory, block device or socket.
fn check_outputs(args: &PackArgs) -> Result<()> {
    if let Some(dir) = &args.oci_layout {
        binsight_pack::layout_dest(dir, args.force).map_err(|e| anyhow::anyhow!("--oci-layout {e}")).usage()?;
    }
    if let Some(f) = &args.tarball {
        match binsight_pack::dest::classify(f) {
            Err(e) => bail_usage!("--tarball {}: {e}", f.display()),
            Ok(binsight_pack::dest::Dest::Replace { exists: true, .. }) if !args.force => {
                bail_usage!("--tarball {}: exists; choose another file or pass --force", f.display())
            }
            Ok(_) => {}
        }
    }
    if let (Some(dir), Some(f)) = (&args.oci_layout, &args.tarball) {
        if dir == f {
            bail_usage!("--oci-layout and --tarball name the same path {}", dir.display());
        }
    }
    Ok(())
}

/// The `pack` command: check the arguments and outputs, get the binaries (building them with
/// --cargo), check each, build the image, then write and push it; the exit code.
pub fn pack(args: PackArgs, quiet: bool) -> Result<u8> {
    if args.oci_layout.is_none() && args.tarball.is_none() && !args.push {
        bail_usage!("say where the image goes: --oci-layout DIR, --tarball FILE and/or --push");
    }
    let references = push_references(&args)?;
    let epoch = epoch()?;
    let want = match &args.platform {
        Some(p) => {
            Some(Platform::parse(p).with_context(|| format!("--platform {p:?}: expected OS/ARCH[/VARIANT]")).usage()?)
        }
        None => None,
    };
    check_outputs(&args)?;
    let paths = binary_paths(&args)?;
    if want.is_some() && paths.len() > 1 {
        bail_usage!("--platform names the platform of a single binary");
    }
    let (db, db_warnings) = advisory_db();
    // A BINARY that cannot be read, or cannot be packed as it is: exit 3.
    let binaries =
        paths.iter().map(|p| check_binary(p, want.as_ref(), &args, epoch, &db)).collect::<Result<Vec<_>>>().source()?;
    warn_db(&db, &db_warnings);
    let ca_bundle = ca_bundle(&args)?;
    let extra = extra_files(&args)?;
    let gid = args.user;
    let opts = Options { epoch, uid: args.user, gid, ca_bundle, extra, tags: args.tag.clone() };
    let built = binsight_pack::build(&binaries, &opts).map_err(|e| match e {
        // Two binaries for one platform, a name unusable under /app: the arguments.
        PackError::Input(_) => crate::fail::usage(e),
        e => e.into(),
    })?;
    print_built(&built, args.no_vex);
    // Write failures from here on are run-time failures (exit 1).
    write_outputs(&args, &built, epoch)?;
    if references.is_empty() {
        print_tagged(&args, &built);
    }
    for r in references {
        push_to(r, &built, &args, quiet)?;
    }
    Ok(crate::EXIT_OK)
}

/// With --push, the registry references of the tags (checked by the value parser: valid).
fn push_references(args: &PackArgs) -> Result<Vec<registry::Reference>> {
    if !args.push {
        return Ok(Vec::new());
    }
    args.tag
        .iter()
        .map(|t| registry::parse_reference(t).map_err(|e| anyhow::anyhow!("--tag: {e}")))
        .collect::<Result<Vec<_>>>()
        .usage()
}

/// The binaries to pack: those given, or those `cargo build` produced with --cargo (one per
/// target); usage errors for a mix, for cargo options without --cargo, and for none.
fn binary_paths(args: &PackArgs) -> Result<Vec<PathBuf>> {
    let mut paths = args.binaries.clone();
    if args.cargo {
        if !paths.is_empty() {
            bail_usage!("give BINARY paths or --cargo, not both");
        }
        let targets =
            if args.target.is_empty() { vec!["x86_64-unknown-linux-musl".to_string()] } else { args.target.clone() };
        for t in &targets {
            paths.push(cargo_build(args, t).source()?);
        }
    } else if !args.target.is_empty() || args.package.is_some() || args.bin.is_some() {
        bail_usage!("--target, --package and --bin go with --cargo");
    }
    if paths.is_empty() {
        bail_usage!("nothing to pack: name a BINARY or use --cargo");
    }
    Ok(paths)
}

/// The CA bundle for the image: --ca-certs FILE, none, or the host's (which must be there).
fn ca_bundle(args: &PackArgs) -> Result<Option<Vec<u8>>> {
    Ok(match &args.ca_certs {
        Some(CaCerts::None) => None,
        Some(CaCerts::Bundle(bytes)) => Some(bytes.clone()),
        None => Some(
            args::read_ca_bundle(Path::new(HOST_CA))
                .map_err(|e| {
                    anyhow::anyhow!("{e}: install Debian's ca-certificates, or pass --ca-certs FILE or --ca-certs none")
                })
                .source()?,
        ),
    })
}

/// The host files asked for: /etc/services (--services), the zoneinfo tree (--tzdata).
fn extra_files(args: &PackArgs) -> Result<Vec<Entry>> {
    let mut extra = Vec::new();
    if args.services {
        extra.push(Entry::File {
            path: "etc/services".into(),
            data: read_capped(Path::new("/etc/services"), 4 << 20).source()?,
            mode: 0o644,
        });
    }
    if args.tzdata {
        extra.extend(tzdata().source()?);
    }
    Ok(extra)
}

/// The built image on stderr: each platform's manifest, SBOM and VEX (or why there is none),
/// then the index and the compressed size of its distinct layers.
fn print_built(built: &binsight_pack::Built, no_vex: bool) {
    let size: u64 = {
        let mut seen = std::collections::BTreeSet::new();
        built
            .images
            .iter()
            .flat_map(|i| &i.layers)
            .filter(|(d, _)| seen.insert(d.digest.clone()))
            .map(|(d, _)| d.size)
            .sum()
    };
    // Details on stderr; stdout is one REF@DIGEST line per tag (see `print_tagged`).
    for i in &built.images {
        // Without --no-vex, a binary has no VEX only when its audit found nothing.
        let vex = match &i.vex {
            Some(v) => format!("VEX {}", v.digest),
            None if no_vex => "no VEX".to_string(),
            None => "no VEX: no findings".to_string(),
        };
        eprintln!(
            "binsight: {}: manifest {}, {}, {vex}",
            i.platform,
            i.manifest.digest,
            i.sbom.as_ref().map_or("no SBOM".to_string(), |s| format!("SBOM {}", s.digest))
        );
    }
    eprintln!("binsight: image {} ({} bytes compressed)", built.root.digest, size);
}

/// Write the --oci-layout and --tarball outputs asked for.
fn write_outputs(args: &PackArgs, built: &binsight_pack::Built, epoch: u64) -> Result<()> {
    if let Some(dir) = &args.oci_layout {
        binsight_pack::write_layout(built, dir, args.force)?;
        eprintln!("binsight: wrote OCI layout {}", binsight_report::sanitize(&dir.display().to_string()));
    }
    if let Some(f) = &args.tarball {
        binsight_pack::write_tarball(built, f, epoch, args.force)?;
        eprintln!("binsight: wrote {}", binsight_report::sanitize(&f.display().to_string()));
    }
    Ok(())
}

/// Without --push: one TAG@DIGEST line per tag, on stdout (on stderr when the archive is
/// written to stdout: `--tarball /dev/stdout | docker load`, where nothing may follow it).
fn print_tagged(args: &PackArgs, built: &binsight_pack::Built) {
    let archive_on_stdout = args.tarball.as_deref().is_some_and(is_stdout);
    for t in &args.tag {
        if archive_on_stdout {
            eprintln!("{t}@{}", built.root.digest);
        } else {
            println!("{t}@{}", built.root.digest);
        }
    }
}

/// Push the image to one registry reference (per-blob messages unless `quiet`), then print
/// REF@DIGEST on stdout.
fn push_to(r: registry::Reference, built: &binsight_pack::Built, args: &PackArgs, quiet: bool) -> Result<()> {
    let opts = registry::RegistryOptions { plain_http: args.plain_http, auth_files: None, ..Default::default() };
    let shown = r.to_string();
    let client = registry::Client::new(r, &opts)?;
    let mut say = |m: &str| {
        if !quiet {
            eprintln!("binsight: {}", binsight_report::sanitize(m));
        }
    };
    let p = binsight_pack::push(built, &client, &mut say)?;
    eprintln!(
        "binsight: pushed {}: {} blobs uploaded ({} bytes), {} already there, {} manifests",
        binsight_report::sanitize(&shown),
        p.blobs_uploaded,
        p.bytes_uploaded,
        p.blobs_present,
        p.manifests
    );
    println!("{shown}@{}", built.root.digest);
    Ok(())
}
