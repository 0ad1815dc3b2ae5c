//! What a run produces: reports, per-file errors and image facts, written in every format asked
//! for (`-o FORMAT[=FILE]`, repeatable). JSON lines are written (and flushed) as each result
//! comes, unless `--sort`; the table and the documents (SARIF, SBOMs) need the whole run and
//! are written at the end, in the sources' order. Errors (and partly readable files) also go to
//! stderr at once. The run's exit code comes from here too: 4 for findings at or above
//! `--fail-on`, 1 for files that failed.

use std::io::{self, IsTerminal as _, Write};
use std::path::PathBuf;

use binsight_model::{BinaryReport, ImageInfo};

use crate::{FailOn, EXIT_FINDINGS, EXIT_OK, EXIT_SOME_FAILED};

/// `--color`: when human output gets ANSI colours.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// When the output is stdout, stdout is a terminal, NO_COLOR is unset or empty, and TERM is
    /// not `dumb`.
    #[default]
    Auto,
    /// Always, even in a pipe or a file, and despite NO_COLOR.
    Always,
    /// Never.
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Table,
    Json,
    Sarif,
    CycloneDx,
    Spdx,
    OpenVex,
    CycloneDxVex,
}

impl Format {
    /// Whether this output is about the audit's findings (asking for it turns the audit on).
    pub fn needs_audit(self) -> bool {
        matches!(self, Format::Sarif | Format::OpenVex | Format::CycloneDxVex)
    }

    /// Whether this output names each binary by its SHA-256 (the table and SARIF do not).
    pub fn needs_hash(self) -> bool {
        match self {
            Format::Json | Format::CycloneDx | Format::Spdx | Format::OpenVex | Format::CycloneDxVex => true,
            Format::Table | Format::Sarif => false,
        }
    }
}

/// One `-o` value.
#[derive(Clone, Debug)]
pub struct Spec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// Parse one `-o FORMAT[=FILE]` value (clap's value parser: the message is the usage error).
pub fn parse_spec(s: &str) -> Result<Spec, String> {
    let (name, file) = match s.split_once('=') {
        Some((n, f)) if !f.is_empty() => (n, Some(PathBuf::from(f))),
        Some((n, _)) => return Err(format!("{n}=: give a file name after '=' (or drop '=' for stdout)")),
        None => (s, None),
    };
    // Case-insensitive, like every other option value.
    let format = match name.to_ascii_lowercase().as_str() {
        "table" => Format::Table,
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        "cyclonedx-json" | "cyclonedx" => Format::CycloneDx,
        "spdx-json" | "spdx" => Format::Spdx,
        "openvex" => Format::OpenVex,
        "cyclonedx-vex" => Format::CycloneDxVex,
        _ => {
            return Err(format!(
                "unknown format '{name}': use table, json, sarif, cyclonedx-json, spdx-json, openvex or cyclonedx-vex"
            ))
        }
    };
    Ok(Spec { format, file })
}

pub enum Style {
    /// A block per file.
    Inspect,
    /// A summary, then a row per binary.
    Scan,
}

pub struct Error {
    pub path: String,
    pub message: String,
    pub layer: Option<String>,
}

/// One result: a report, or a file that could not be read or parsed.
pub enum Item {
    Report(Box<BinaryReport>),
    Error(Error),
}

impl Item {
    /// A file's error: the path it names, the message (which names the path), its image layer.
    pub fn error(path: &str, message: &str, layer: Option<&str>) -> Item {
        Item::Error(Error { path: path.into(), message: message.into(), layer: layer.map(str::to_string) })
    }
}

/// How outputs are written.
#[derive(Clone, Debug)]
pub struct Options {
    pub color: ColorChoice,
    /// JSON lines as each result comes (false: all at the end, in the sources' order).
    pub stream: bool,
    /// `--show-suppressed`: list suppressed findings in human output.
    pub show_suppressed: bool,
    /// `--vex-author`: who OpenVEX output says made the statements.
    pub vex_author: String,
}

/// A JSON output written as results come: stdout, or a file written in place.
struct Stream {
    file: Option<(PathBuf, std::fs::File)>,
}

/// Everything one run found, kept for the outputs written at the end.
pub struct Run {
    specs: Vec<Spec>,
    opts: Options,
    fail_on: Option<FailOn>,
    pub reports: Vec<BinaryReport>,
    pub errors: Vec<Error>,
    pub images: Vec<ImageInfo>,
    /// Reports (false) and errors (true) in the sources' order, for line-oriented output.
    order: Vec<(bool, usize)>,
    /// Files that could not be read, parsed, or were only partly readable.
    pub failed: usize,
    audited: bool,
    /// The advisory snapshot's date and, when auditing, the data used (see `set_database`).
    advisory: binsight_model::AdvisoryContext,
    /// The JSON outputs written as results come (their specs are skipped at the end).
    streams: Vec<Stream>,
    /// A progress bar on stderr, hidden while lines are printed.
    bar: Option<indicatif::ProgressBar>,
    /// The SBOMs' creation time (RFC 3339), when one is written: read at the start, so a bad
    /// `SOURCE_DATE_EPOCH` is refused before the scan.
    created: String,
}

impl Run {
    /// A run writing `specs` (default: the table on stdout), checked: more than one output on
    /// stdout is a usage error, an output path that cannot be written an error before the scan.
    pub fn new(specs: &[Spec], fail_on: Option<FailOn>, audited: bool, opts: Options) -> anyhow::Result<Run> {
        let mut specs = specs.to_vec();
        if specs.is_empty() {
            specs.push(Spec { format: Format::Table, file: None });
        }
        if specs.iter().filter(|s| s.file.is_none()).count() > 1 {
            return Err(crate::fail::usage(anyhow::anyhow!(
                "more than one -o without a file: only one output can go to stdout; write the others with FORMAT=FILE"
            )));
        }
        // A path no output can go to (a directory, a dangling link…) fails before the scan
        // (exit 1, as any output that cannot be written).
        for f in specs.iter().filter_map(|s| s.file.as_ref()) {
            binsight_pack::dest::classify(f)
                .map_err(|e| anyhow::anyhow!("{}: cannot write the output: {e}", f.display()))?;
        }
        let documents = [Format::CycloneDx, Format::Spdx, Format::OpenVex, Format::CycloneDxVex];
        let created = if specs.iter().any(|s| documents.contains(&s.format)) {
            binsight_report::sbom::created().map_err(|e| crate::fail::usage(anyhow::anyhow!(e)))?
        } else {
            String::new()
        };
        let mut streams = Vec::new();
        if opts.stream {
            for s in specs.iter().filter(|s| s.format == Format::Json) {
                let file = match &s.file {
                    None => None,
                    Some(f) => Some((f.clone(), open_stream(f)?)),
                };
                streams.push(Stream { file });
            }
            specs.retain(|s| s.format != Format::Json);
        }
        Ok(Run {
            specs,
            opts,
            fail_on,
            reports: Vec::new(),
            errors: Vec::new(),
            images: Vec::new(),
            order: Vec::new(),
            failed: 0,
            audited,
            advisory: crate::advisory_context(None),
            streams,
            bar: None,
            created,
        })
    }

    /// Record the advisory database the run audited with (for footers and metadata).
    pub fn set_database(&mut self, db: Option<&binsight_advisory::Database>) {
        self.advisory = crate::advisory_context(db);
    }

    /// The progress bar to hide while printing (None when it is gone).
    pub fn set_bar(&mut self, bar: Option<indicatif::ProgressBar>) {
        self.bar = bar;
    }

    /// One line on stderr, escaped (it quotes paths and messages from the input).
    fn eprint(&self, line: &str) {
        let line = binsight_report::sanitize(line);
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Write one line to every streamed JSON output, flushed.
    fn stream_line(&mut self, line: &str) -> anyhow::Result<()> {
        for s in &mut self.streams {
            match &mut s.file {
                Some((path, f)) => writeln!(f, "{line}")
                    .and_then(|()| f.flush())
                    .map_err(|e| anyhow::anyhow!("{}: cannot write the output: {e}", path.display()))?,
                None => {
                    let write = || -> io::Result<()> {
                        let mut out = io::stdout().lock();
                        writeln!(out, "{line}")?;
                        out.flush()
                    };
                    // A bar on the same terminal would tear the line: hide it meanwhile.
                    match &self.bar {
                        Some(b) if io::stdout().is_terminal() => b.suspend(write)?,
                        _ => write()?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Announce a result now: its stderr line, the failure count, and the streamed JSON line.
    /// The result is kept for the other outputs with [`Run::store`].
    pub fn emit(&mut self, item: &Item) -> anyhow::Result<()> {
        match item {
            Item::Report(r) => {
                if let Some(w) = partial_warning(r) {
                    self.failed += 1;
                    self.eprint(&w);
                }
                if !self.streams.is_empty() {
                    self.stream_line(&binsight_report::json_line(r))?;
                }
            }
            Item::Error(e) => {
                self.failed += 1;
                self.eprint(&format!("binsight: {}", e.message));
                if !self.streams.is_empty() {
                    self.stream_line(&binsight_report::json_error_line(&e.path, &e.message, e.layer.as_deref()))?;
                }
            }
        }
        Ok(())
    }

    /// Keep an announced result for the outputs written at the end (call in the sources' order).
    pub fn store(&mut self, item: Item) {
        match item {
            Item::Report(r) => {
                self.order.push((false, self.reports.len()));
                self.reports.push(*r);
            }
            Item::Error(e) => {
                self.order.push((true, self.errors.len()));
                self.errors.push(e);
            }
        }
    }

    /// [`Run::emit`] then [`Run::store`].
    pub fn add(&mut self, item: Item) -> anyhow::Result<()> {
        self.emit(&item)?;
        self.store(item);
        Ok(())
    }

    /// Announce and keep one report.
    pub fn report(&mut self, r: BinaryReport) -> anyhow::Result<()> {
        self.add(Item::Report(Box::new(r)))
    }

    /// Announce and keep one file's error.
    pub fn error(&mut self, path: &str, message: &str, layer: Option<&str>) -> anyhow::Result<()> {
        self.add(Item::error(path, message, layer))
    }

    /// An image a scan read: its JSON line now (before its files), its header in the table.
    pub fn image(&mut self, info: ImageInfo) -> anyhow::Result<()> {
        if !self.streams.is_empty() {
            self.stream_line(&serde_json::json!({ "image": info }).to_string())?;
        }
        self.images.push(info);
        Ok(())
    }

    /// How human text is drawn for this output: its width and whether it has colour.
    fn text_style(&self, spec: &Spec) -> binsight_report::Style {
        let to_terminal = spec.file.is_none() && io::stdout().is_terminal();
        let color = match self.opts.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
            }
        };
        binsight_report::Style { width: table_width(to_terminal), color, show_suppressed: self.opts.show_suppressed }
    }
    /// The whole text of one output written at the end.
    fn render(&self, spec: &Spec, style: &Style) -> String {
        let mut o = String::new();
        match spec.format {
            Format::Table => match style {
                Style::Inspect => {
                    let text = self.text_style(spec);
                    let blocks: Vec<String> =
                        self.reports.iter().map(|r| binsight_report::inspect_text_styled(r, &text)).collect();
                    o = blocks.join("\n");
                }
                Style::Scan => {
                    o = binsight_report::scan_table(
                        &self.reports,
                        &self.images,
                        self.audited,
                        &self.advisory,
                        &self.text_style(spec),
                    );
                }
            },
            Format::Json => {
                for i in &self.images {
                    o.push_str(&serde_json::json!({ "image": i }).to_string());
                    o.push('\n');
                }
                for &(is_error, i) in &self.order {
                    if is_error {
                        let e = &self.errors[i];
                        o.push_str(&binsight_report::json_error_line(&e.path, &e.message, e.layer.as_deref()));
                    } else {
                        o.push_str(&binsight_report::json_line(&self.reports[i]));
                    }
                    o.push('\n');
                }
            }
            Format::Sarif => {
                o = binsight_report::sarif(&self.reports, &self.advisory);
                o.push('\n');
            }
            Format::CycloneDx => {
                o = binsight_report::sbom::cyclonedx(&self.reports, &self.images, &self.created, &self.advisory);
                o.push('\n');
            }
            Format::Spdx => {
                o = binsight_report::sbom::spdx(&self.reports, &self.images, &self.created, &self.advisory);
                o.push('\n');
            }
            Format::OpenVex => {
                o = binsight_report::openvex::openvex(&self.reports, &self.opts.vex_author, &self.created);
                o.push('\n');
            }
            Format::CycloneDxVex => {
                o = binsight_report::sbom::cyclonedx_vex(&self.reports, &self.images, &self.created);
                o.push('\n');
            }
        }
        o
    }

    /// Write the outputs not yet written and give the exit code.
    pub fn finish(&mut self, style: Style) -> anyhow::Result<u8> {
        for spec in &self.specs {
            let text = self.render(spec, &style);
            match &spec.file {
                None => {
                    let mut out = io::stdout().lock();
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                }
                Some(f) => {
                    // A file is written beside the target and renamed (a reader never sees half
                    // a file); a FIFO or device is written through; see binsight_pack::dest.
                    // Errors name the target, never the temporary file.
                    binsight_pack::dest::write(f, text.as_bytes())
                        .map_err(|e| anyhow::anyhow!("{}: cannot write the output: {e}", f.display()))?;
                }
            }
        }
        let tripped: Vec<String> =
            self.reports.iter().flat_map(|r| self.fail_on.map(|f| f.tripped_by(r)).unwrap_or_default()).collect();
        Ok(if !tripped.is_empty() {
            let n = tripped.len();
            eprintln!(
                "binsight: exit 4: {} at or above --fail-on:\n  {}",
                binsight_report::text::count(n, "finding", "findings"),
                tripped.iter().map(|t| binsight_report::sanitize(t)).collect::<Vec<_>>().join("\n  ")
            );
            EXIT_FINDINGS
        } else if self.failed > 0 {
            EXIT_SOME_FAILED
        } else {
            EXIT_OK
        })
    }
}

/// For a report whose ELF structure was partly unreadable: the stderr line (the run's exit code
/// becomes 1; the report itself is still printed, with the problems in `unknowns`).
fn partial_warning(r: &BinaryReport) -> Option<String> {
    let first = r.elf.warnings.first()?;
    let more = r.elf.warnings.len() - 1;
    let more = if more > 0 { format!(" (+{more} more)") } else { String::new() };
    Some(format!("binsight: {}: truncated or corrupt ELF, report is partial: {first}{more}", r.path))
}

/// A streamed JSON output: a file is written in place as results come (its link followed), a
/// FIFO or device written through; a directory, block device or socket is refused
/// (binsight_pack::dest's rules, without the staging: lines appear as they are found).
fn open_stream(f: &std::path::Path) -> anyhow::Result<std::fs::File> {
    use binsight_pack::dest::{classify, Dest, DestError};
    let opened = classify(f).and_then(|d| {
        match d {
            Dest::Replace { path, .. } => std::fs::File::create(path),
            Dest::Through(path) => std::fs::OpenOptions::new().append(true).open(path),
        }
        .map_err(DestError::Io)
    });
    opened.map_err(|e| anyhow::anyhow!("{}: cannot write the output: {e}", f.display()))
}

/// A message on stderr, escaped ([`binsight_report::sanitize`]: it may quote input data) and
/// wrapped to `COLUMNS` or the width of the terminal stderr is (a pipe or a file gets it on one
/// line).
pub fn eprint_wrapped(msg: &str) {
    let w =
        std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&n| n > 0).or_else(|| {
            console::Term::stderr().size_checked().map(|(_rows, cols)| usize::from(cols)).filter(|&c| c > 0)
        });
    for line in binsight_report::text::Styled::plain(&binsight_report::sanitize(msg)).wrap(w) {
        eprintln!("{}", line.render(false));
    }
}

/// The width tables are fitted to: `COLUMNS` when set to a number (it wins), else the
/// terminal's width when the table goes to a terminal, else none (a table in a pipe or a file
/// is never cut).
fn table_width(to_terminal: bool) -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&n| n > 0) {
        return Some(n);
    }
    if to_terminal {
        return console::Term::stdout().size_checked().map(|(_rows, cols)| usize::from(cols)).filter(|&c| c > 0);
    }
    None
}
