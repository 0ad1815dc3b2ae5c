#!/usr/bin/env bash
# binsight against real peers, in one run, on one realistic corpus; writes docs/benchmarks.md.
#
#   scripts/bench/run.sh            prepare (cached) + measure + report
#   scripts/bench/run.sh prepare    only build/install/cache the inputs
#
# Peers: the tools users pick instead — syft, trivy, grype, govulncheck, osv-scanner — built from
# the Go module proxy at pinned versions by scripts/peers.sh (into the cache, once), plus
# checksec, scanelf and cve-bin-tool. Each peer runs in its nearest mode, offline (`unshare
# --net`: no network at all), once (they take seconds to minutes; binsight's rows are medians).
#
# The corpus: a Debian root filesystem (`debootstrap --variant=minbase`, $BENCH_SUITE) with the
# project's ELF corpus (corpus/build) copied in under /opt/corpus ("x1"), and the same with
# $BENCH_COPIES copies of the corpus ("x3") for peak memory at a bigger size. Both trees are
# also packed as single-layer `docker save` archives (gzip layer), and x1 as an OCI archive
# with a zstd layer. Everything is cached under $cache/bench (outside the clone): the rootfs
# keyed by suite and the archive's Release date, the images by a fingerprint of the tree.
# The debootstrap mirror is read from this machine's apt sources at run time (apt_mirror.py).
#
# Every timed command runs pinned to $BENCH_CORES (taskset) with a warm page cache: hyperfine
# does one warm-up run then $BENCH_RUNS timed runs (the table shows the median); checksec and
# cve-bin-tool are too slow for that and run once (after the others warmed the cache), capped
# by `timeout`. Peak RSS comes from `/usr/bin/time -v`.
#
# Needs root (debootstrap, apt-get), the corpus (corpus/build), cargo, python3 and the Debian
# archive; installs debootstrap checksec pax-utils zstd time hyperfine rsync openssl with apt-get,
# cve-bin-tool (pinned) into a venv under $cache/tools, and the Go peers (scripts/peers.sh).
#
# A third input, "static": every static ELF executable of the corpus of at least 1 MiB, copied
# into one directory (few, big files: hashing and the signature scan dominate, not the walk).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}
corpus=$cache/corpus
bench=$cache/bench
suite=${BENCH_SUITE:-bookworm}
cores=${BENCH_CORES:-0,1}
runs=${BENCH_RUNS:-3}
copies=${BENCH_COPIES:-3}
target_dir=${BENCH_TARGET_DIR:-/tmp/bench-target}
osv=${BENCH_OSV:-$(cd "$repo/.." && pwd)/shared/osv}
checksec_timeout=${BENCH_CHECKSEC_TIMEOUT:-1800}
cvebin_timeout=${BENCH_CVEBIN_TIMEOUT:-3600}
peer_timeout=${BENCH_PEER_TIMEOUT:-1800}
cvebin_version=3.4
tmpfs=${BENCH_TMPFS:-/dev/shm}
out_md=$repo/docs/benchmarks.md
mode=${1:-all}

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
started=$(date +%s)

# ---------------------------------------------------------------------------------------------
# Prerequisites.

[[ $(id -u) == 0 ]] || die "run as root: debootstrap and apt-get need it"
[[ $mode == all || $mode == prepare ]] || die "usage: $0 [prepare]"
command -v python3 >/dev/null || die "python3 is missing"
command -v cargo >/dev/null || die "cargo is missing (rustup)"
[[ -d $corpus ]] || die "no corpus at $corpus: build it first with corpus/build"
for d in crates.io Go; do
    [[ -d $osv/$d ]] || die "no OSV directory $osv/$d (set BENCH_OSV to the folder holding crates.io/ and Go/)"
done

# command -> Debian package
declare -A pkg_of=([debootstrap]=debootstrap [checksec]=checksec [scanelf]=pax-utils [zstd]=zstd
    [/usr/bin/time]=time [hyperfine]=hyperfine [rsync]=rsync [file]=file [strings]=binutils
    [readelf]=binutils [unshare]=util-linux [taskset]=util-linux [gzip]=gzip [openssl]=openssl)
missing=()
for c in "${!pkg_of[@]}"; do command -v "$c" >/dev/null || missing+=("${pkg_of[$c]}"); done
if ((${#missing[@]})); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    log "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
fi

log "build binsight (release, CARGO_TARGET_DIR=$target_dir)"
(cd "$repo" && CARGO_TARGET_DIR=$target_dir cargo build --release -p binsight --locked)
bin=$target_dir/release/binsight
[[ -x $bin ]] || die "no binary at $bin after the build"

venv=$cache/tools/cve-bin-tool-$cvebin_version
if [[ ! -x $venv/bin/cve-bin-tool ]]; then
    log "install cve-bin-tool $cvebin_version into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "cve-bin-tool==$cvebin_version" || die "pip install cve-bin-tool==$cvebin_version failed"
fi

log "Go peers (scripts/peers.sh: module proxy, pinned, cached)"
"$repo/scripts/peers.sh" syft grype trivy govulncheck osv-scanner
declare -A peer
for p in syft grype trivy govulncheck osv-scanner; do peer[$p]=$("$repo/scripts/peers.sh" --path "$p"); done
log "the peers' databases from $osv (binsight-corpus peer-db)"
peer_db=$bench/peer-db
(cd "$repo" && CARGO_TARGET_DIR=$target_dir cargo run -q --release --locked -p binsight-corpus --bin peer-db -- \
    govulncheck "$osv/Go" "$peer_db/govulncheck" &&
    CARGO_TARGET_DIR=$target_dir cargo run -q --release --locked -p binsight-corpus --bin peer-db -- \
        osv-scanner "$osv" "$peer_db/osv-scanner") || die "writing the peers' databases failed"
# The agreement test the README's test command leaves out (osv-scanner is too long a build for
# its cold budget): osv-scanner, offline, must find in binsight's CycloneDX and SPDX what
# binsight's audit finds (crates/binsight/tests/sbom_consumers.rs, feature peer-osv-scanner).
log "agreement: osv-scanner reads binsight's SBOMs (cargo test --features peer-osv-scanner)"
(cd "$repo" && BINSIGHT_OSV_SCANNER=${peer[osv-scanner]} cargo test -q --locked -p binsight \
    --features peer-osv-scanner --test sbom_consumers -- osv_scanner::) ||
    die "osv-scanner disagrees with binsight on its SBOMs (see the test output above)"

# ---------------------------------------------------------------------------------------------
# The root filesystem, cached by suite + the archive's Release date (from the host's apt lists).

mkdir -p "$bench"
release_date=$(sed -n 's/^Date: //p' /var/lib/apt/lists/*_dists_"${suite}"_InRelease 2>/dev/null | head -1)
stamp=$( [[ -n $release_date ]] && date -u -d "$release_date" +%Y%m%d || date -u +%Y%m%d)
rootfs=$bench/rootfs-$suite-minbase-$stamp
if [[ ! -f $rootfs.done ]]; then
    mirror=$(python3 "$here/apt_mirror.py") || die "cannot tell the Debian mirror from the apt sources"
    log "debootstrap --variant=minbase $suite $rootfs (mirror from the host's apt sources)"
    rm -rf "$rootfs.tmp"
    debootstrap --variant=minbase "$suite" "$rootfs.tmp" "$mirror" >"$bench/debootstrap.log" 2>&1 ||
        die "debootstrap failed: see $bench/debootstrap.log"
    rm -rf "$rootfs"
    mv "$rootfs.tmp" "$rootfs"
    touch "$rootfs.done"
fi

# ---------------------------------------------------------------------------------------------
# The trees: x1 = rootfs + corpus at /opt/corpus; xN = rootfs + N copies of the corpus.

big=x$copies
tree_x1=$bench/tree-x1
tree_big=$bench/tree-$big
make_tree() { # TREE COPIES
    log "tree $1 (rootfs + $2 x corpus)"
    mkdir -p "$1"
    rsync -a --delete --exclude=/opt/ "$rootfs/" "$1/"
    rsync -a --delete "$rootfs/opt/" "$1/opt/"
    rsync -a --delete "$corpus/" "$1/opt/corpus/"
    for ((i = 2; i <= $2; i++)); do rsync -a --delete "$corpus/" "$1/opt/corpus$i/"; done
}
make_tree "$tree_x1" 1
make_tree "$tree_big" "$copies"

work=$bench/work
res=$work/results
rm -rf "$res"
mkdir -p "$res" "$work/images"
log "list the ELF files (magic 7f 45 4c 46, regular files, symlinks not followed)"
python3 "$here/elf_files.py" "$tree_x1" "$work/x1.elf0" >"$res/stats-x1.json"
python3 "$here/elf_files.py" "$tree_big" "$work/$big.elf0" >"$res/stats-$big.json"
python3 "$here/elf_files.py" "$rootfs" "$work/rootfs.elf0" >"$res/stats-rootfs.json"
python3 "$here/elf_files.py" "$corpus" "$work/corpus.elf0" >"$res/stats-corpus.json"
fingerprint() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fingerprint"])' "$1"; }

# ---------------------------------------------------------------------------------------------
# The images. The layer holds the tree as docker would (no ./ prefix, /dev /proc /sys empty).

img=$work/images
make_images() { # NAME TREE WITH_ZSTD
    local name=$1 tree=$2 fp
    fp=$(fingerprint "$res/stats-$name.json")$3
    if [[ -f $img/$name.fp && $(cat "$img/$name.fp") == "$fp" ]]; then
        return
    fi
    log "images of $name (tar, gzip -6$([[ $3 == 1 ]] && echo ', zstd -3'))"
    rm -rf "$img/$name".* # files, and the x1.oci layout unpacked from the last x1 image
    local tops
    mapfile -t tops < <(cd "$tree" && ls -A)
    tar -C "$tree" --sort=name --numeric-owner --anchored \
        --exclude='dev/*' --exclude='proc/*' --exclude='sys/*' -cf "$img/$name.layer.tar" "${tops[@]}"
    gzip -n -6 -c "$img/$name.layer.tar" >"$img/$name.layer.tar.gz"
    python3 "$here/make_image.py" docker-archive "$img/$name.layer.tar" "$img/$name.layer.tar.gz" gzip \
        "$img/$name.docker.tar" "bench/rootfs:$name" >"$img/$name.docker.json"
    if [[ $3 == 1 ]]; then
        zstd -q -3 -T2 -c "$img/$name.layer.tar" >"$img/$name.layer.tar.zst"
        python3 "$here/make_image.py" oci-archive "$img/$name.layer.tar" "$img/$name.layer.tar.zst" zstd \
            "$img/$name.oci-zstd.tar" "bench/rootfs:$name-zstd" >"$img/$name.oci-zstd.json"
    else
        rm -f "$img/$name.layer.tar.gz" # only the image is scanned at this size
    fi
    stat -c %s "$img/$name.layer.tar" >"$img/$name.layer.size"
    rm -f "$img/$name.layer.tar"
    echo "$fp" >"$img/$name.fp"
}
make_images x1 "$tree_x1" 1
make_images "$big" "$tree_big" 0
# The zstd OCI archive unpacked: an OCI layout directory (syft oci-dir:, trivy --input DIR).
if [[ ! -f $img/x1.oci.done || $img/x1.oci-zstd.tar -nt $img/x1.oci.done ]]; then
    rm -rf "$img/x1.oci" && mkdir -p "$img/x1.oci"
    tar -xf "$img/x1.oci-zstd.tar" -C "$img/x1.oci"
    touch "$img/x1.oci.done"
fi
static=$bench/static
log "static directory: the corpus's static ELF executables of at least 1 MiB"
python3 "$here/static_files.py" "$corpus" "$static" $((1 << 20)) "$work/static.elf0" >"$res/stats-static.json"
# Go binaries of x1 and of the static directory (govulncheck reads only those): `go version`.
go_binaries() { # LIST OUT
    xargs -0 -a "$1" go version 2>/dev/null | sed -n 's/^\(.*\): go[0-9].*$/\1/p' | tr '\n' '\0' >"$2"
}
go_binaries "$work/x1.elf0" "$work/x1.go0"
go_binaries "$work/static.elf0" "$work/static.go0"

if [[ $mode == prepare ]]; then
    log "prepared in $(($(date +%s) - started)) s"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Measurements. measurements.tsv: id, tree, kind (hyperfine|single), command as run.

pin=(taskset -c "$cores")
export BINSIGHT_DATA=$work/binsight-data # an empty database: only the --advisories given here
rm -rf "$BINSIGHT_DATA"
scan=("$bin" scan -q --no-progress --audit --advisories "$osv/crates.io" --advisories "$osv/Go" -o json)
printf 'id\ttree\tkind\tcommand\n' >"$res/measurements.tsv"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$res/measurements.tsv"; }

# hyperfine NAME TREE COMMAND [PREPARE]: warm-up + $runs timed runs, pinned.
hf() {
    local id=$1 tree=$2 cmd=$3 prep=${4:-}
    log "$id: $cmd"
    local args=(--style basic --warmup 1 --runs "$runs" --export-json "$res/$id.json")
    [[ -n $prep ]] && args+=(--prepare "$prep")
    "${pin[@]}" hyperfine "${args[@]}" "$cmd" >&2
    record "$id" "$tree" hyperfine "$cmd"
}
# single NAME TREE TIMEOUT COMMAND...: one run under /usr/bin/time -v, output kept.
single() {
    local id=$1 tree=$2 limit=$3
    shift 3
    log "$id (one run, timeout ${limit}s): $*"
    local rc=0
    /usr/bin/time -v -o "$res/$id.time" "${pin[@]}" timeout "$limit" "$@" >"$res/$id.out" 2>"$res/$id.err" || rc=$?
    echo "$rc" >"$res/$id.rc"
    record "$id" "$tree" single "$*"
}
# rss NAME TREE COMMAND...: peak RSS of one run (the output is kept to check it).
rss() {
    local id=$1 tree=$2
    shift 2
    log "$id: peak RSS of $*"
    local rc=0
    /usr/bin/time -v -o "$res/$id.time" "${pin[@]}" "$@" >"$res/$id.out" 2>"$res/$id.err" || rc=$?
    echo "$rc" >"$res/$id.rc"
    ((rc == 0)) || die "$* exited $rc: see $res/$id.err"
    record "$id" "$tree" rss "$*"
}
q() { local s; s=$(printf '%q ' "$@"); printf '%s' "${s% }"; } # a command line as sh re-reads it

log "warm the page cache"
cat "$work/x1.elf0" "$work/$big.elf0" >/dev/null
xargs -0 -a "$work/x1.elf0" cat >/dev/null
xargs -0 -a "$work/$big.elf0" cat >/dev/null
cat "$img"/*.tar "$img"/*.tar.gz "$img"/*.tar.zst >/dev/null
xargs -0 -a "$work/static.elf0" cat >/dev/null
find "$img/x1.oci" -type f -exec cat {} + >/dev/null

# Peak RSS first: these runs also check that every scan succeeds and keep its JSON output.
rss rss-dir-x1 x1 "${scan[@]}" "$tree_x1"
rss rss-dir-$big $big "${scan[@]}" "$tree_big"
rss rss-docker-x1 x1 "${scan[@]}" "docker-archive:$img/x1.docker.tar"
rss rss-docker-$big $big "${scan[@]}" "docker-archive:$img/$big.docker.tar"
rss rss-ocizstd-x1 x1 "${scan[@]}" "oci-archive:$img/x1.oci-zstd.tar"
rss rss-static static "${scan[@]}" "$static"
for id in rss-dir-x1 rss-docker-x1 rss-ocizstd-x1 rss-static; do
    python3 "$here/counts.py" binsight "$res/$id.out" >"$res/$id.counts.json"
done

extract=$tmpfs/binsight-bench-extract
trap 'rm -rf "$extract"' EXIT
hf cat-x1 x1 "xargs -0 -a $work/x1.elf0 cat > /dev/null"
hf binsight-dir-x1 x1 "$(q "${scan[@]}" "$tree_x1") > /dev/null"
hf binsight-docker-x1 x1 "$(q "${scan[@]}" "docker-archive:$img/x1.docker.tar") > /dev/null"
hf gzip-dc-x1 x1 "gzip -dc $img/x1.layer.tar.gz > /dev/null"
hf tar-xzf-x1 x1 "tar -xzf $img/x1.layer.tar.gz -C $extract" "rm -rf $extract && mkdir -p $extract"
hf binsight-ocizstd-x1 x1 "$(q "${scan[@]}" "oci-archive:$img/x1.oci-zstd.tar") > /dev/null"
hf zstd-dc-x1 x1 "zstd -q -dc $img/x1.layer.tar.zst > /dev/null"
hf tar-zstd-x1 x1 "tar --zstd -xf $img/x1.layer.tar.zst -C $extract" "rm -rf $extract && mkdir -p $extract"
rm -rf "$extract"
hf scanelf-x1 x1 "scanelf -R -y -a $tree_x1 > /dev/null"
hf cat-$big $big "xargs -0 -a $work/$big.elf0 cat > /dev/null"
hf binsight-dir-$big $big "$(q "${scan[@]}" "$tree_big") > /dev/null"
hf binsight-docker-$big $big "$(q "${scan[@]}" "docker-archive:$img/$big.docker.tar") > /dev/null"

# The static directory: reading, hashing (openssl, one process per file, two at a time), and
# binsight with an output that prints hashes (JSON) and one that does not (the table).
hf cat-static static "xargs -0 -a $work/static.elf0 cat > /dev/null"
hf openssl-static static "xargs -0 -a $work/static.elf0 -P 2 -n 1 openssl dgst -sha256 > /dev/null"
hf binsight-static static "$(q "${scan[@]}" "$static") > /dev/null"
scan_table=("${scan[@]:0:${#scan[@]}-2}") # the same scan without `-o json`: the table, no hashes
hf binsight-static-table static "$(q "${scan_table[@]}" "$static") > /dev/null"
hf binsight-ocidir-x1 x1 "$(q "${scan[@]}" "oci-dir:$img/x1.oci") > /dev/null"

# Peers, once each, offline (`unshare --net`), their outputs kept for counts.py.
peer_home=$work/peer-home
rm -rf "$peer_home" && mkdir -p "$peer_home"
offline=(env HOME="$peer_home" XDG_CACHE_HOME="$peer_home/cache" XDG_CONFIG_HOME="$peer_home/config"
    SYFT_CHECK_FOR_APP_UPDATE=false GRYPE_CHECK_FOR_APP_UPDATE=false unshare --net)
syft_run() { # ID TREE SOURCE
    single "$1" "$2" "$peer_timeout" "${offline[@]}" "${peer[syft]}" scan -q "$3" -o "syft-json=$res/$1.peer.json"
}
# trivy: SBOM only (CycloneDX, no vulnerability scanner: its database cannot be downloaded
# here), its cache in memory (a warm on-disk cache would skip the analysis on the next run).
# Directories go through `trivy rootfs`: `trivy fs` is its source-tree mode, whose analyzers
# read lock files and never look inside binaries (it reports no component of the static dir).
trivy_run() { # ID TREE trivy-args...
    local id=$1 tree=$2
    shift 2
    single "$id" "$tree" "$peer_timeout" "${offline[@]}" "${peer[trivy]}" "$@" --cache-backend memory \
        --skip-db-update --skip-java-db-update --skip-check-update --offline-scan --disable-telemetry \
        --no-progress --quiet --format cyclonedx --output "$res/$id.peer.json"
}
syft_run syft-dir-x1 x1 "dir:$tree_x1"
syft_run syft-docker-x1 x1 "docker-archive:$img/x1.docker.tar"
syft_run syft-ocidir-x1 x1 "oci-dir:$img/x1.oci"
syft_run syft-static static "dir:$static"
trivy_run trivy-rootfs-x1 x1 rootfs "$tree_x1"
trivy_run trivy-docker-x1 x1 image --input "$img/x1.docker.tar"
trivy_run trivy-ocidir-x1 x1 image --input "$img/x1.oci"
trivy_run trivy-rootfs-static static rootfs "$static"
for t in x1 static; do
    single "govulncheck-$t" "$t" "$peer_timeout" "${offline[@]}" bash "$here/govulncheck_all.sh" \
        "${peer[govulncheck]}" "$peer_db/govulncheck" "$work/$t.go0" "$work/govulncheck-$t"
    cat "$work/govulncheck-$t"/*.json >"$res/govulncheck-$t.peer.json" 2>/dev/null || true
    cp "$work/govulncheck-$t/failed.tsv" "$res/govulncheck-$t.failed.tsv" 2>/dev/null || true
done
# osv-scanner reads binsight's CycloneDX SBOM of the static directory (its binary extractors
# are not in `scan source`'s default plugins), matched offline against the same OSV data.
"$bin" scan -q --no-progress -o "cyclonedx-json=$work/static.cdx.json" "$static" || die "binsight SBOM of $static failed"
single osv-scanner-static static "$peer_timeout" "${offline[@]}" env \
    OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY="$peer_db/osv-scanner" "${peer[osv-scanner]}" scan source \
    --offline --all-vulns --all-packages --format json --output-file "$res/osv-scanner-static.peer.json" \
    -L "$work/static.cdx.json"
for id in syft-dir-x1 syft-docker-x1 syft-ocidir-x1 syft-static; do
    python3 "$here/counts.py" syft "$res/$id.peer.json" >"$res/$id.counts.json"
done
for id in trivy-rootfs-x1 trivy-docker-x1 trivy-ocidir-x1 trivy-rootfs-static; do
    python3 "$here/counts.py" trivy "$res/$id.peer.json" >"$res/$id.counts.json"
done
for t in x1 static; do
    python3 "$here/counts.py" govulncheck "$res/govulncheck-$t.peer.json" >"$res/govulncheck-$t.counts.json"
done
python3 "$here/counts.py" osv-scanner "$res/osv-scanner-static.peer.json" >"$res/osv-scanner-static.counts.json"

single checksec-x1 x1 "$checksec_timeout" checksec --output=json "--dir=$tree_x1"
mkdir -p "$work/cvebin-home"
single cvebin-x1 x1 "$cvebin_timeout" env HOME="$work/cvebin-home" unshare --net \
    "$venv/bin/python" "$here/cvebin_scan.py" "$tree_x1"

# ---------------------------------------------------------------------------------------------
# Versions, machine, report.

{
    printf 'binsight\t%s (git %s%s)\n' "$("$bin" --version | awk '{print $2}')" \
        "$(git -C "$repo" rev-parse --short HEAD)" "$(git -C "$repo" diff --quiet HEAD -- crates || echo ', crates/ modified in the work tree')"
    printf 'rustc\t%s\n' "$(rustc --version | awk '{print $2}')"
    printf 'coreutils cat\t%s\n' "$(cat --version | head -1 | awk '{print $NF}')"
    printf 'findutils xargs\t%s\n' "$(xargs --version | head -1 | awk '{print $NF}')"
    printf 'GNU tar\t%s\n' "$(tar --version | head -1 | awk '{print $NF}')"
    printf 'gzip\t%s\n' "$(gzip --version | head -1 | awk '{print $2}')"
    printf 'zstd\t%s\n' "$(zstd --version | grep -o 'v[0-9.]*' | head -1)"
    printf 'checksec\t%s\n' "$(dpkg-query -W -f '${Version}' checksec)"
    printf 'scanelf (pax-utils)\t%s\n' "$(dpkg-query -W -f '${Version}' pax-utils)"
    printf 'binutils (readelf, strings)\t%s\n' "$(dpkg-query -W -f '${Version}' binutils)"
    printf 'file\t%s\n' "$(dpkg-query -W -f '${Version}' file)"
    printf 'cve-bin-tool\t%s (Python %s)\n' "$("$venv/bin/cve-bin-tool" -V 2>/dev/null | tail -1)" \
        "$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"
    printf 'hyperfine\t%s\n' "$(hyperfine --version | awk '{print $2}')"
    printf 'openssl\t%s\n' "$(openssl version | awk '{print $2}')"
    for p in syft grype trivy govulncheck osv-scanner; do
        # go install leaves no version in the binaries' own --version: the pin and its Go
        printf '%s\t%s (%s, built by %s)\n' "$p" "$(basename "$(dirname "$(dirname "${peer[$p]}")")" | sed "s/^$p-//")" \
            "scripts/peers.sh" "$(go version "${peer[$p]}" | awk '{print $2}')"
    done
    printf 'debootstrap\t%s\n' "$(dpkg-query -W -f '${Version}' debootstrap)"
} >"$res/versions.tsv"
{
    printf 'nproc\t%s (timed runs pinned to CPUs %s)\n' "$(nproc --all)" "$cores"
    printf 'CPU\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    printf 'memory\t%s\n' "$(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    printf 'kernel\t%s\n' "$(uname -sr)"
    printf 'OS\t%s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
    printf 'rootfs\t%s\n' "$(basename "$rootfs")"
    printf 'runs\t%s\n' "$runs"
    printf 'copies\t%s\n' "$copies"
} >"$res/machine.tsv"

elapsed=$(($(date +%s) - started))
python3 "$here/report.py" "$res" "$elapsed" "$bench" "$repo" >"$out_md"
cat "$out_md"
log "wrote $out_md (whole run: ${elapsed} s)"
