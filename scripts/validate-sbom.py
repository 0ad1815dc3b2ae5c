#!/usr/bin/env python3
"""Validate a binsight SBOM and load it into a real consumer.

  validate-sbom.py cyclonedx FILE   CycloneDX 1.6 JSON schema (strict), then cyclonedx-python-lib Bom.from_json
  validate-sbom.py spdx FILE        spdx-tools: parse, then full SPDX 2.3 validation
  validate-sbom.py openvex FILE     the OpenVEX 0.2.0 JSON schema (../shared/schemas), formats checked

Run with the venv scripts/test.sh makes (BINSIGHT_SBOM_PYTHON). Exit 1 on any problem.
"""
import json, sys
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.schema import SchemaVersion
kind, path = sys.argv[1], sys.argv[2]
text = open(path).read()
if kind == "openvex":
    import os, jsonschema
    here = os.path.dirname(os.path.abspath(__file__))
    schema_path = os.path.join(here, "..", "..", "shared", "schemas", "openvex-0.2.0.schema.json")
    schema = json.load(open(schema_path))
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    doc = json.loads(text)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        print("INVALID", "/".join(map(str, e.absolute_path)) or "(document)", e.message[:300])
    if errors:
        sys.exit(1)
    print("valid OpenVEX 0.2.0;", len(doc.get("statements", [])), "statements")
    sys.exit(0)
if kind == "cyclonedx":
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if errors:
        print("INVALID", errors); sys.exit(1)
    from cyclonedx.model.bom import Bom
    bom = Bom.from_json(json.loads(text))
    print("valid CycloneDX 1.6;", len(bom.components), "components,", len(bom.dependencies), "dependencies,", len(bom.vulnerabilities), "vulnerabilities")
else:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
    doc = parse_file(path)
    msgs = validate_full_spdx_document(doc)
    if msgs:
        for m in msgs: print("INVALID", m.validation_message, m.context)
        sys.exit(1)
    print("valid SPDX 2.3;", len(doc.packages), "packages,", len(doc.relationships), "relationships")
