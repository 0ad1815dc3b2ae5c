//! Documents binsight writes, checked by the official validators in the venv `scripts/test.sh`
//! installs (`$BINSIGHT_SBOM_PYTHON`, `scripts/validate-sbom.py`): CycloneDX 1.6 (SBOM and
//! VEX), SPDX 2.3, and OpenVEX 0.2.0 against its JSON schema (`../shared/schemas/`, formats
//! such as `date-time` and `iri` checked).

use std::path::{Path, PathBuf};

/// Which validator.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// CycloneDX 1.6 JSON (strict schema), loaded by cyclonedx-python-lib.
    CycloneDx,
    /// SPDX 2.3 JSON, parsed and validated by spdx-tools.
    Spdx,
    /// OpenVEX 0.2.0 against `../shared/schemas/openvex-0.2.0.schema.json`.
    OpenVex,
}

impl Kind {
    fn arg(self) -> &'static str {
        match self {
            Kind::CycloneDx => "cyclonedx",
            Kind::Spdx => "spdx",
            Kind::OpenVex => "openvex",
        }
    }
}

/// Run the validator on `file`: `Ok(what it printed)` when valid, `Err(what it printed)` when
/// not. Panics when the validators are not installed (run scripts/test.sh).
pub fn check(kind: Kind, file: &Path) -> Result<String, String> {
    let py = std::env::var_os("BINSIGHT_SBOM_PYTHON").unwrap_or_else(|| {
        panic!("BINSIGHT_SBOM_PYTHON is not set: run scripts/test.sh, which installs the validators")
    });
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-sbom.py");
    let o = std::process::Command::new(&py)
        .arg(&script)
        .arg(kind.arg())
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("running {} {}: {e}", PathBuf::from(&py).display(), script.display()));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    if o.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// [`check`], failing the test when `file` is not valid.
pub fn assert_valid(kind: Kind, file: &Path) {
    if let Err(e) = check(kind, file) {
        panic!("{} rejected by the {} validator:\n{e}", file.display(), kind.arg());
    }
}
