//! What a run produces: reports, per-file errors and image facts are collected, then written in
//! every format asked for (`-o FORMAT[=FILE]`, repeatable). Errors also go to stderr at once.

use std::io::{self, Write};
use std::path::PathBuf;

use binsight_model::{BinaryReport, ImageInfo};

use crate::{fails, warn_partial, FailOn, EXIT_FINDINGS, EXIT_OK, EXIT_SOME_FAILED};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Table,
    Json,
    Sarif,
    CycloneDx,
    Spdx,
}

/// One `-o` value.
#[derive(Clone, Debug)]
pub struct Spec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

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
        _ => return Err(format!("unknown format '{name}': use table, json, sarif, cyclonedx-json or spdx-json")),
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

/// Everything one run found, kept for the end.
pub struct Run {
    specs: Vec<Spec>,
    fail_on: Option<FailOn>,
    pub reports: Vec<BinaryReport>,
    pub errors: Vec<Error>,
    pub images: Vec<ImageInfo>,
    /// Reports (false) and errors (true) in the order they came, for line-oriented output.
    order: Vec<(bool, usize)>,
    /// Files that could not be read, parsed, or were only partly readable.
    pub failed: usize,
    /// Findings that trip --fail-on, as "ID in PATH (SEVERITY)".
    tripped: Vec<String>,
    audited: bool,
    /// The advisory snapshot's date and, when auditing, the data used (see `set_database`).
    advisory: binsight_model::AdvisoryContext,
}

impl Run {
    pub fn new(specs: &[Spec], fail_on: Option<FailOn>, audited: bool) -> anyhow::Result<Run> {
        let mut specs = specs.to_vec();
        if specs.is_empty() {
            specs.push(Spec { format: Format::Table, file: None });
        }
        if specs.iter().filter(|s| s.file.is_none()).count() > 1 {
            anyhow::bail!(
                "more than one -o without a file: only one output can go to stdout; write the others with FORMAT=FILE"
            );
        }
        Ok(Run {
            specs,
            fail_on,
            reports: Vec::new(),
            errors: Vec::new(),
            images: Vec::new(),
            order: Vec::new(),
            failed: 0,
            tripped: Vec::new(),
            audited,
            advisory: crate::advisory_context(None),
        })
    }

    /// Record the advisory database the run audited with (for footers and metadata).
    pub fn set_database(&mut self, db: Option<&binsight_advisory::Database>) {
        self.advisory = crate::advisory_context(db);
    }

    pub fn error(&mut self, path: &str, message: &str, layer: Option<&str>) {
        self.failed += 1;
        eprintln!("binsight: {message}");
        self.order.push((true, self.errors.len()));
        self.errors.push(Error { path: path.into(), message: message.into(), layer: layer.map(str::to_string) });
    }

    pub fn report(&mut self, r: BinaryReport) {
        if warn_partial(&r) {
            self.failed += 1;
        }
        self.tripped.extend(fails(&r, self.fail_on));
        self.order.push((false, self.reports.len()));
        self.reports.push(r);
    }

    fn render(&self, format: Format, style: &Style) -> String {
        let mut o = String::new();
        match format {
            Format::Table => match style {
                Style::Inspect => {
                    let blocks: Vec<String> = self.reports.iter().map(binsight_report::inspect_text).collect();
                    o = blocks.join("\n");
                }
                Style::Scan => {
                    for i in &self.images {
                        o.push_str(&binsight_report::image_header(i));
                    }
                    o.push_str(&binsight_report::scan_summary(&self.reports, self.audited));
                    if !self.reports.is_empty() {
                        o.push_str(&binsight_report::scan_header(self.audited));
                        o.push('\n');
                        for r in &self.reports {
                            o.push_str(&binsight_report::scan_row(r));
                            o.push('\n');
                        }
                    }
                    if self.audited {
                        o.push_str(&binsight_report::scan_footer(&self.advisory));
                    }
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
                o = binsight_report::sbom::cyclonedx(
                    &self.reports,
                    &self.images,
                    &binsight_report::sbom::created(),
                    &self.advisory,
                );
                o.push('\n');
            }
            Format::Spdx => {
                o = binsight_report::sbom::spdx(
                    &self.reports,
                    &self.images,
                    &binsight_report::sbom::created(),
                    &self.advisory,
                );
                o.push('\n');
            }
        }
        o
    }

    /// Write every output and give the exit code.
    pub fn finish(&mut self, style: Style) -> anyhow::Result<u8> {
        for spec in &self.specs {
            let text = self.render(spec.format, &style);
            match &spec.file {
                None => {
                    let mut out = io::stdout().lock();
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                }
                Some(f) => {
                    // Written beside the target and renamed: a reader never sees half a file. Errors
                    // name the target (never the temporary file), which is removed on failure.
                    let tmp = f.with_extension(format!("binsight-{}.tmp", std::process::id()));
                    std::fs::write(&tmp, text.as_bytes()).and_then(|()| std::fs::rename(&tmp, f)).map_err(|e| {
                        let _ = std::fs::remove_file(&tmp);
                        anyhow::anyhow!("{}: cannot write the output: {e}", f.display())
                    })?;
                }
            }
        }
        Ok(if !self.tripped.is_empty() {
            let n = self.tripped.len();
            eprintln!(
                "binsight: exit 4: {n} finding{} at or above --fail-on:\n  {}",
                if n == 1 { "" } else { "s" },
                self.tripped.join("\n  ")
            );
            EXIT_FINDINGS
        } else if self.failed > 0 {
            EXIT_SOME_FAILED
        } else {
            EXIT_OK
        })
    }
}
