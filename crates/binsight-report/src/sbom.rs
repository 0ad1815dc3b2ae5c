//! SBOMs: CycloneDX 1.6 JSON and SPDX 2.3 JSON. Each binary is an application (with its
//! SHA-256, and its layer for images); what it was built from (crates, Go modules, the Rust or
//! Go standard library, the libc) are libraries with purls and, for libcs, CPEs; the binary →
//! component edges are CycloneDX `dependencies` and SPDX `STATIC_LINK`/`DYNAMIC_LINK`
//! relationships. With `--audit`, CycloneDX also carries the findings as `vulnerabilities`, the
//! applicability mapped to its analysis (`not-linked` → `not_affected`/`code_not_present`),
//! each `affects` naming the binary; [`cyclonedx_vex`] writes them alone, referring to the SBOM
//! by BOM-link.

use std::collections::BTreeMap;

use binsight_model::AdvisoryContext;
use binsight_model::{Applicability, BinaryReport, Component, ComponentKind, ImageInfo, Linkage};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The latest `SOURCE_DATE_EPOCH` taken: 9999-12-31T23:59:59Z, the last second an RFC 3339
/// timestamp (four-digit year) can name.
pub const MAX_EPOCH: u64 = 253_402_300_799;

/// `SOURCE_DATE_EPOCH` parsed: `None` when unset or empty; whole seconds from 0 to
/// [`MAX_EPOCH`] (surrounding spaces allowed), else an error naming the variable, the value
/// and the range.
pub fn source_date_epoch() -> Result<Option<u64>, BadEpoch> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(v)) => Err(BadEpoch(v.to_string_lossy().into_owned())),
        Ok(s) => parse_epoch(&s),
    }
}

/// [`source_date_epoch`] for a given value.
pub fn parse_epoch(s: &str) -> Result<Option<u64>, BadEpoch> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u64>() {
        Ok(n) if t.bytes().all(|b| b.is_ascii_digit()) && n <= MAX_EPOCH => Ok(Some(n)),
        _ => Err(BadEpoch(s.to_string())),
    }
}

/// A `SOURCE_DATE_EPOCH` that is not a timestamp binsight can write (the value as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "SOURCE_DATE_EPOCH='{}': not a whole number of seconds from 0 to {MAX_EPOCH} (1970-01-01 to \
     9999-12-31T23:59:59Z, what RFC 3339 timestamps can say); set it to e.g. $(git log -1 --format=%ct), or unset it",
    crate::sanitize(.0)
)]
pub struct BadEpoch(pub String);

/// Creation time: `$SOURCE_DATE_EPOCH` when set (reproducible output), else now; RFC 3339 UTC.
/// An invalid `SOURCE_DATE_EPOCH` is an error ([`source_date_epoch`]), never a made-up date.
pub fn created() -> Result<String, BadEpoch> {
    let secs = match source_date_epoch()? {
        Some(n) => n,
        None => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    };
    Ok(rfc3339(i64::try_from(secs.min(MAX_EPOCH)).unwrap_or(0)))
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (proleptic Gregorian, days-from-civil).
pub fn rfc3339(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = binsight_model::date::civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A name-based UUID (version 5 layout) from the document's content, so the same scan gives
/// the same serial number.
pub(crate) fn uuid_of(seed: &[u8]) -> String {
    let h = Sha256::digest(seed);
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x: String = b.iter().map(|v| format!("{v:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &x[0..8], &x[8..12], &x[12..16], &x[16..20], &x[20..32])
}

fn seed(reports: &[BinaryReport], images: &[ImageInfo], created: &str) -> Vec<u8> {
    let mut s = created.as_bytes().to_vec();
    for i in images {
        s.extend_from_slice(i.config_digest.as_bytes());
    }
    for r in reports {
        s.extend_from_slice(r.path.as_bytes());
        s.extend_from_slice(r.sha256.as_bytes());
    }
    s
}

/// Stable reference of a component shared by binaries: its purl, else name@version.
fn component_ref(c: &Component) -> String {
    c.purl.clone().unwrap_or_else(|| format!("component:{}@{}", c.name, c.version.as_deref().unwrap_or("unknown")))
}

/// Binaries get unique refs even if two sources hold the same path.
fn binary_refs(reports: &[BinaryReport]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    reports
        .iter()
        .map(|r| {
            let n = seen.entry(r.path.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                format!("binary:{}", r.path)
            } else {
                format!("binary:{}#{n}", r.path)
            }
        })
        .collect()
}

fn linkage_text(l: Linkage) -> String {
    serde_json::to_value(l).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| "unknown".into())
}

/// Shared components, deduplicated by reference, in a stable order.
fn components(reports: &[BinaryReport]) -> BTreeMap<String, &Component> {
    let mut m = BTreeMap::new();
    for r in reports {
        for c in &r.components {
            m.entry(component_ref(c)).or_insert(c);
        }
    }
    m
}

fn tool_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// CycloneDX 1.6 JSON.
pub fn cyclonedx(reports: &[BinaryReport], images: &[ImageInfo], created: &str, ctx: &AdvisoryContext) -> String {
    let refs = binary_refs(reports);
    let comps = cdx_components(reports, &refs);
    let mut deps: Vec<Value> = Vec::new();
    // A C library a crate vendors hangs under that crate (binary → crate → library).
    let mut vendored: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (r, bref) in reports.iter().zip(&refs) {
        let mut on: Vec<String> = Vec::new();
        for c in &r.components {
            let via = c.bundle.as_ref().and_then(|b| b.via_purl.as_deref());
            match via.and_then(|p| {
                r.components.iter().find(|x| x.purl.as_deref().map(|q| q.replace('+', "%2B")).as_deref() == Some(p))
            }) {
                Some(owner) => vendored.entry(component_ref(owner)).or_default().push(component_ref(c)),
                None => on.push(component_ref(c)),
            }
        }
        on.sort();
        on.dedup();
        deps.push(json!({"ref": bref, "dependsOn": on}));
    }
    for (owner, mut on) in vendored {
        on.sort();
        on.dedup();
        deps.push(json!({"ref": owner, "dependsOn": on}));
    }
    let mut props = vec![json!({"name": "binsight:advisory-snapshot-date", "value": ctx.snapshot_date})];
    if let Some(u) = ctx.used_summary() {
        props.push(json!({"name": "binsight:advisory-data", "value": u}));
    }
    let mut metadata = json!({
        "timestamp": created,
        "tools": {"components": [{"type": "application", "name": "binsight", "version": tool_version()}]},
        "properties": props,
    });
    if let [img] = images {
        let name = img.tags.first().cloned().unwrap_or_else(|| img.source.clone());
        metadata["component"] = json!({
            "type": "container", "bom-ref": "image", "name": name, "version": img.config_digest,
            "properties": [
                {"name": "binsight:platform", "value": img.platform},
                {"name": "binsight:manifest-digest", "value": img.manifest_digest.clone().unwrap_or_default()},
            ],
        });
        deps.push(json!({"ref": "image", "dependsOn": refs}));
    }
    let vulns = cdx_vulnerabilities(reports, &refs, None);
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": cyclonedx_serial(reports, images, created),
        "version": 1,
        "metadata": metadata,
        "components": comps,
        "dependencies": deps,
    });
    if reports.iter().any(|r| r.findings.is_some()) {
        bom["vulnerabilities"] = json!(vulns);
    }
    serde_json::to_string_pretty(&bom).unwrap_or_default()
}

/// CycloneDX components: one application per binary, one library per distinct component.
fn cdx_components(reports: &[BinaryReport], refs: &[String]) -> Vec<Value> {
    let mut comps: Vec<Value> = Vec::new();
    for (r, bref) in reports.iter().zip(refs) {
        let mut props = vec![
            json!({"name": "binsight:path", "value": r.path}),
            json!({"name": "binsight:arch", "value": r.elf.machine}),
            json!({"name": "binsight:linkage", "value": linkage_text(r.elf.linkage)}),
            json!({"name": "binsight:libc", "value": crate::libc_short(r)}),
        ];
        if let Some(l) = &r.layer {
            props.push(json!({"name": "binsight:layer", "value": l}));
        }
        if let Some(v) = &r.verdict {
            props.push(json!({"name": "binsight:verdict", "value": v.action.as_str()}));
        }
        let name = r.path.rsplit('/').next().unwrap_or(&r.path);
        let mut c = json!({"type": "application", "bom-ref": bref, "name": name, "properties": props});
        if !r.sha256.is_empty() {
            c["hashes"] = json!([{"alg": "SHA-256", "content": r.sha256}]);
        }
        comps.push(c);
    }
    for (cref, c) in components(reports) {
        let mut v = json!({"type": "library", "bom-ref": cref, "name": c.name});
        if let Some(ver) = &c.version {
            v["version"] = json!(ver);
        }
        if let Some(p) = &c.purl {
            v["purl"] = json!(p);
        }
        if let Some(cpe) = &c.cpe {
            v["cpe"] = json!(cpe);
        }
        let mut props = vec![
            json!({"name": "binsight:kind", "value": c.kind}),
            json!({"name": "binsight:found-by", "value": c.found_by}),
        ];
        if let Some(b) = &c.bundle {
            props.push(json!({"name": "binsight:confidence", "value": b.confidence}));
            props.push(
                json!({"name": "binsight:bundled-via", "value": b.via_purl.as_deref().unwrap_or(b.via.as_str())}),
            );
            for p in &b.crate_coordinates {
                props.push(json!({"name": "binsight:crate-coordinate", "value": p}));
            }
        }
        v["properties"] = json!(props);
        comps.push(v);
    }
    comps
}

/// CycloneDX vulnerabilities: one per finding and binary (suppressed findings too, with
/// binsight's own analysis and what suppressed them as properties), `affects` naming the binary
/// (two binaries linking one crate differently do not contradict each other) — as a BOM-link
/// into the SBOM `link` names (`urn:cdx:SERIAL/VERSION`) when the VEX stands alone. The
/// component is a property.
fn cdx_vulnerabilities(reports: &[BinaryReport], refs: &[String], link: Option<&str>) -> Vec<Value> {
    let mut vulns: Vec<Value> = Vec::new();
    for (r, bref) in reports.iter().zip(refs) {
        let suppressed = r.suppressed.iter().map(|s| (&s.finding, Some(&s.by)));
        for (f, by) in r.findings.iter().flatten().map(|f| (f, None)).chain(suppressed) {
            let (state, justification) = match f.applicability {
                Applicability::Affected => ("exploitable", None),
                Applicability::NotLinked => ("not_affected", Some("code_not_present")),
                Applicability::Unknown => ("in_triage", None),
                Applicability::Fixed => ("resolved", None),
            };
            let mut analysis = json!({
                "state": state,
                "detail": f.evidence.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("; "),
            });
            if let Some(j) = justification {
                analysis["justification"] = json!(j);
            }
            let target = match link {
                Some(l) => format!("{l}#{}", bom_link_fragment(bref)),
                None => bref.clone(),
            };
            let component = r
                .components
                .iter()
                .find(|c| c.name == f.component && (f.purl.is_none() || c.purl == f.purl))
                .map_or_else(|| f.component.clone(), component_ref);
            let mut props = vec![
                json!({"name": "binsight:component", "value": component}),
                json!({"name": "binsight:path", "value": r.path}),
            ];
            if let Some(by) = by {
                props.push(json!({"name": "binsight:suppressed-by", "value": format!("{} {} ({})", by.source, by.file, by.status)}));
            }
            let mut v = json!({
                "id": f.id,
                "source": {"name": if f.id.starts_with("RUSTSEC") { "RustSec" } else if f.id.starts_with("GO-") { "Go" } else { "binsight" }},
                "references": f.aliases.iter().map(|a| json!({"id": a, "source": {"name": if a.starts_with("CVE-") { "NVD" } else { "GitHub" }}})).collect::<Vec<_>>(),
                "ratings": [{"severity": f.severity.map_or("unknown", binsight_model::Severity::as_str)}],
                "affects": [{"ref": target}],
                "analysis": analysis,
                "properties": props,
            });
            if let Some(s) = &f.summary {
                v["description"] = json!(s);
            }
            if let Some(fix) = r.verdict.as_ref().map(|v| crate::join_fixes(&v.fix)).filter(|s| !s.is_empty()) {
                if f.applicability == Applicability::Affected {
                    v["recommendation"] = json!(fix);
                }
            }
            vulns.push(v);
        }
    }
    vulns
}

/// A bom-ref as the fragment of a BOM-link: percent-encoded but for unreserved characters and
/// `:`, `/`, `@` (as the CycloneDX BOM-link examples keep them).
fn bom_link_fragment(r: &str) -> String {
    crate::percent_encode(r, b":/@")
}

/// The serial number (`urn:uuid:…`) [`cyclonedx`] gives the SBOM of the same scan.
pub fn cyclonedx_serial(reports: &[BinaryReport], images: &[ImageInfo], created: &str) -> String {
    format!("urn:uuid:{}", uuid_of(&seed(reports, images, created)))
}

/// A standalone CycloneDX VEX: the audit's vulnerabilities only, each `affects` a BOM-link to
/// the binary in the SBOM [`cyclonedx`] writes for the same scan (`urn:cdx:SERIAL/1#binary:…`),
/// as Dependency-Track and trivy read an independent BOM and VEX.
pub fn cyclonedx_vex(reports: &[BinaryReport], images: &[ImageInfo], created: &str) -> String {
    let refs = binary_refs(reports);
    let sbom = cyclonedx_serial(reports, images, created);
    let link = format!("urn:cdx:{}/1", sbom.trim_start_matches("urn:uuid:"));
    let vulns = cdx_vulnerabilities(reports, &refs, Some(&link));
    let mut s = seed(reports, images, created);
    s.extend_from_slice(b"vex");
    let bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid_of(&s)),
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": {"components": [{"type": "application", "name": "binsight", "version": tool_version()}]},
            "properties": [{"name": "binsight:sbom", "value": sbom}],
        },
        "vulnerabilities": vulns,
    });
    serde_json::to_string_pretty(&bom).unwrap_or_default()
}

/// SPDX 2.3 JSON.
pub fn spdx(reports: &[BinaryReport], images: &[ImageInfo], created: &str, ctx: &AdvisoryContext) -> String {
    let uuid = uuid_of(&seed(reports, images, created));
    let name = match images {
        [img] => img.tags.first().cloned().unwrap_or_else(|| img.source.clone()),
        _ => "binsight-scan".to_string(),
    };
    let mut packages: Vec<Value> = Vec::new();
    let mut rels: Vec<Value> = Vec::new();
    let image_id = "SPDXRef-Image";
    if let [img] = images {
        let mut p = json!({
            "SPDXID": image_id, "name": name, "versionInfo": img.config_digest,
            "downloadLocation": "NOASSERTION", "filesAnalyzed": false, "primaryPackagePurpose": "CONTAINER",
            "comment": format!("{} image, platform {}", img.kind, img.platform),
        });
        if let Some(hex) = img.config_digest.strip_prefix("sha256:") {
            p["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": hex}]);
        }
        packages.push(p);
        rels.push(json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": image_id}));
    }
    let comps = components(reports);
    let comp_ids: BTreeMap<&String, String> =
        comps.keys().enumerate().map(|(i, k)| (k, format!("SPDXRef-Package-{}", i + 1))).collect();
    for (i, r) in reports.iter().enumerate() {
        let id = format!("SPDXRef-Binary-{}", i + 1);
        let mut p = json!({
            "SPDXID": id, "name": r.path, "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
            "primaryPackagePurpose": "APPLICATION",
            "comment": format!("{} {}, libc {}{}", r.elf.machine, linkage_text(r.elf.linkage), crate::libc_short(r),
                r.layer.as_ref().map(|l| format!(", from layer {l}")).unwrap_or_default()),
        });
        if !r.sha256.is_empty() {
            p["checksums"] = json!([{"algorithm": "SHA256", "checksumValue": r.sha256}]);
        }
        packages.push(p);
        if images.len() == 1 {
            rels.push(json!({"spdxElementId": image_id, "relationshipType": "CONTAINS", "relatedSpdxElement": id}));
        } else {
            rels.push(
                json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": id}),
            );
        }
        let mut seen: Vec<&String> = Vec::new();
        for c in &r.components {
            let cref = component_ref(c);
            let Some((key, cid)) = comp_ids.get_key_value(&cref) else { continue };
            if seen.contains(key) {
                continue;
            }
            seen.push(key);
            let dynamic = c.kind == ComponentKind::Libc && !r.elf.linkage.is_static();
            let rel = if dynamic { "DYNAMIC_LINK" } else { "STATIC_LINK" };
            rels.push(json!({"spdxElementId": id, "relationshipType": rel, "relatedSpdxElement": cid}));
        }
    }
    for (cref, c) in &comps {
        let mut p = json!({
            "SPDXID": comp_ids[cref], "name": c.name, "downloadLocation": "NOASSERTION", "filesAnalyzed": false,
            "primaryPackagePurpose": "LIBRARY",
        });
        if let Some(v) = &c.version {
            p["versionInfo"] = json!(v);
        }
        let mut refs = Vec::new();
        if let Some(purl) = &c.purl {
            refs.push(
                json!({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}),
            );
        }
        if let Some(cpe) = &c.cpe {
            refs.push(json!({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": cpe}));
        }
        if !refs.is_empty() {
            p["externalRefs"] = json!(refs);
        }
        packages.push(p);
    }
    let doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": format!("https://spdx.org/spdxdocs/binsight-{uuid}"),
        "creationInfo": {
            "created": created,
            "creators": [format!("Tool: binsight-{}", tool_version())],
            "comment": match ctx.used_summary() {
                Some(u) => format!("advisory snapshot {}; advisory data used: {u}", ctx.snapshot_date),
                None => format!("advisory snapshot {}", ctx.snapshot_date),
            },
        },
        "packages": packages,
        "relationships": rels,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_uuids() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(MAX_EPOCH as i64), "9999-12-31T23:59:59Z");
        assert_eq!(parse_epoch(" 1700000000 "), Ok(Some(1_700_000_000)));
        assert_eq!(parse_epoch(""), Ok(None));
        assert_eq!(parse_epoch("253402300799"), Ok(Some(MAX_EPOCH)));
        for bad in ["253402300800", "18446744073709551615", "99999999999999999999999", "-1", "+5", "1.5", "1e9", "x"] {
            let e = parse_epoch(bad).expect_err(bad).to_string();
            assert!(e.contains("SOURCE_DATE_EPOCH") && e.contains("253402300799"), "{e}");
        }
        let u = uuid_of(b"x");
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "5");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
