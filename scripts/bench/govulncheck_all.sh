#!/usr/bin/env bash
# govulncheck -mode=binary over every binary of a NUL-separated LIST, two at a time (the
# benchmark's two cores): one JSON stream per binary in OUTDIR, each file starting with a line
# `# PATH` (scripts/bench/counts.py reads them back). A binary govulncheck refuses is listed
# with its last error line in OUTDIR/failed.tsv, and the others go on.
#
#   govulncheck_all.sh GOVULNCHECK DB_DIR LIST OUTDIR
set -euo pipefail
[[ $# == 4 ]] || { echo "usage: $0 GOVULNCHECK DB_DIR LIST OUTDIR" >&2; exit 2; }
export GOVULNCHECK=$1 GOVULNDB=file://$(realpath "$2")
rm -rf "$4" && mkdir -p "$4"
# shellcheck disable=SC2016 # expanded by the inner shell
xargs -0 -a "$3" -P 2 -n 1 sh -c '
    o="$0/$(printf %s "$1" | sha256sum | cut -c1-16)"
    { printf "# %s\n" "$1"; "$GOVULNCHECK" -mode=binary -db "$GOVULNDB" -json "$1"; } >"$o.json" 2>"$o.err" ||
        { printf "%s\t%s\n" "$1" "$(tail -n 1 "$o.err")" >>"$0/failed.tsv"; rm -f "$o.json"; }' "$4"
