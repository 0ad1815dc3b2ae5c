//! Commands about binsight itself: `version`, `completion`, and the hidden `help-config` that
//! prints docs/configuration.md.

use std::io::Write as _;

use anyhow::Result;

/// The git commit binsight was built from (build.rs): 12 hex digits, `-dirty` when tracked
/// files differed from it, or `unknown`.
pub const COMMIT: &str = env!("BINSIGHT_GIT_COMMIT");

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum VersionFormat {
    Text,
    Json,
}

/// `binsight version`: version, commit, advisory snapshot date and JSON schema version.
pub fn version(format: VersionFormat) -> Result<u8> {
    let snapshot = &binsight_advisory::snapshot::info().date;
    let out = match format {
        VersionFormat::Json => {
            let v = serde_json::json!({
                "version": env!("CARGO_PKG_VERSION"),
                "commit": COMMIT,
                "advisory_snapshot_date": snapshot,
                "schema_version": binsight_model::SCHEMA_VERSION,
            });
            format!("{v}\n")
        }
        VersionFormat::Text => format!(
            "binsight {}\ncommit             {COMMIT}\nadvisory snapshot  {snapshot}\nJSON schema        {}\n",
            env!("CARGO_PKG_VERSION"),
            binsight_model::SCHEMA_VERSION
        ),
    };
    print_out(out.as_bytes())
}

/// A completion script for `shell`, generated from the command-line definition.
pub fn completion(shell: clap_complete::Shell, mut cmd: clap::Command) -> Result<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "binsight", &mut buf);
    print_out(&buf)
}

/// `binsight help-config`: print docs/configuration.md, generated from `cmd`.
pub fn help_config(cmd: &clap::Command) -> Result<u8> {
    print_out(crate::config::docs(cmd).as_bytes())
}

/// Write `bytes` to stdout, flushed; exit code 0.
fn print_out(bytes: &[u8]) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(crate::EXIT_OK)
}
