#!/usr/bin/env bash
# The Go peers binsight is measured against, built from the Go module proxy at pinned versions
# into the cache (outside the clone), each once; offline afterwards.
#
#   scripts/peers.sh NAME...     build the named peers (syft grype trivy govulncheck osv-scanner)
#   scripts/peers.sh --path NAME print where NAME's binary is (built or not)
#
# `go install MODULE/cmd/X@VERSION` builds with the module's own go.mod and go.sum (every
# dependency pinned and checked against the checksum database), -trimpath, into
# $cache/tools/peers/NAME-VERSION/bin. Module and build caches live under $cache/tools too.
# The go command is the machine's (Go 1.26); a peer whose go.mod asks for a newer Go would make
# it fetch that toolchain from the proxy (GOTOOLCHAIN=auto), but the pins below need none.
set -euo pipefail

cache=${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}
tools=$cache/tools

# name -> package@version (the versions issue 18 pins; osv-scanner: the newest the proxy lists)
declare -A pkg=(
    [syft]=github.com/anchore/syft/cmd/syft@v1.57.2
    [grype]=github.com/anchore/grype/cmd/grype@v0.121.3
    [trivy]=github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
    [govulncheck]=golang.org/x/vuln/cmd/govulncheck@v1.9.0
    [osv-scanner]=github.com/google/osv-scanner/v2/cmd/osv-scanner@v2.6.0
)

# name -> extra build environment (what the peer's own release build sets)
declare -A extra_env=(
    [trivy]=GOEXPERIMENT=jsonv2 # trivy's pkg/x/json uses encoding/json/v2, behind this experiment in Go 1.26
)

die() { printf 'peers.sh: error: %s\n' "$*" >&2; exit 1; }
dir_of() { local v=${pkg[$1]#*@}; printf '%s/peers/%s-%s' "$tools" "$1" "$v"; }

if [[ ${1:-} == --path ]]; then
    [[ -n ${2:-} && -n ${pkg[$2]:-} ]] || die "usage: $0 --path NAME (one of: ${!pkg[*]})"
    printf '%s/bin/%s\n' "$(dir_of "$2")" "$2"
    exit 0
fi
(($#)) || die "usage: $0 NAME... (one of: ${!pkg[*]})"
go=$(command -v go || echo /usr/local/go/bin/go)
[[ -x $go ]] || die "'go' not found: the machine's Go builds the peers from the module proxy"

for name in "$@"; do
    [[ -n ${pkg[$name]:-} ]] || die "unknown peer '$name' (one of: ${!pkg[*]})"
    dir=$(dir_of "$name")
    [[ -x $dir/bin/$name ]] && continue
    printf 'peers.sh: go install %s (into %s)\n' "${pkg[$name]}" "$dir" >&2
    rm -rf "$dir.partial"
    mkdir -p "$dir.partial/bin"
    t0=$(date +%s)
    env GOBIN="$dir.partial/bin" GOMODCACHE="$tools/gomodcache" GOCACHE="$tools/go-build-cache-peers" \
        GOPATH="$tools/gopath-peers" GOFLAGS=-trimpath GOWORK=off GO111MODULE=on CGO_ENABLED=0 \
        GOOS= GOARCH= GOTOOLCHAIN=auto ${extra_env[$name]:-} \
        "$go" install "${pkg[$name]}" ||
        die "go install ${pkg[$name]} failed (the module proxy must serve it and its dependencies)"
    [[ -x $dir.partial/bin/$name ]] || die "go install ${pkg[$name]} left no $name binary"
    rm -rf "$dir" && mv "$dir.partial" "$dir"
    printf 'peers.sh: %s built in %s s\n' "$name" "$(($(date +%s) - t0))" >&2
done
