#!/usr/bin/env bash
# Two builds of binsight side by side on the benchmark's inputs (run `scripts/bench/run.sh
# prepare` first): for a refactoring, proof that the output is the same and the speed no worse.
#
#   scripts/bench/compare.sh OLD_BINSIGHT NEW_BINSIGHT
#
# For each input (the x1 tree, its docker-archive and zstd OCI archive, the x3 tree): one
# hyperfine run timing both binaries ($BENCH_RUNS runs each after a warm-up, pinned to
# $BENCH_CORES), peak RSS of one run of each (/usr/bin/time), and whether the JSON lines are
# byte-identical once put in path order (a parallel scan prints files as they finish).
# Prints a Markdown table; keeps the outputs under $cache/bench/work/compare.
set -euo pipefail

[[ $# == 2 ]] || { echo "usage: $0 OLD_BINSIGHT NEW_BINSIGHT" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}
bench=$cache/bench
work=$bench/work
cores=${BENCH_CORES:-0,1}
runs=${BENCH_RUNS:-5}
osv=${BENCH_OSV:-$(cd "$repo/.." && pwd)/shared/osv}
out=$work/compare
img=$work/images
for f in "$old" "$new"; do [[ -x $f ]] || { echo "compare: $f is not an executable" >&2; exit 2; }; done
[[ -d $bench/tree-x1 && -f $img/x1.docker.tar ]] || {
    echo "compare: no benchmark inputs under $bench: run scripts/bench/run.sh prepare" >&2
    exit 1
}
for t in hyperfine taskset /usr/bin/time python3; do
    command -v "$t" >/dev/null || { echo "compare: $t is missing (scripts/bench/run.sh prepare installs it)" >&2; exit 1; }
done
rm -rf "$out" && mkdir -p "$out"
export BINSIGHT_DATA=$out/data SOURCE_DATE_EPOCH=1700000000 # an empty database; fixed timestamps
args=(scan -q --no-progress --audit --advisories "$osv/crates.io" --advisories "$osv/Go" -o json)
inputs=("dir-x1=$bench/tree-x1" "docker-x1=docker-archive:$img/x1.docker.tar"
    "ocizstd-x1=oci-archive:$img/x1.oci-zstd.tar" "dir-x3=$bench/tree-x3")

printf '| input | old median s | new median s | new/old | old peak RSS MB | new peak RSS MB | JSON |\n'
printf '|---|---:|---:|---:|---:|---:|---|\n'
for spec in "${inputs[@]}"; do
    name=${spec%%=*} src=${spec#*=}
    for side in old new; do
        bin=$old; [[ $side == new ]] && bin=$new
        /usr/bin/time -v -o "$out/$name.$side.time" taskset -c "$cores" "$bin" "${args[@]}" "$src" \
            >"$out/$name.$side.json" 2>"$out/$name.$side.err" || { echo "compare: $side on $name failed: see $out/$name.$side.err" >&2; exit 1; }
        LC_ALL=C sort "$out/$name.$side.json" >"$out/$name.$side.sorted"
    done
    q() { local s; s=$(printf '%q ' "$@"); printf '%s' "${s% }"; }
    taskset -c "$cores" hyperfine --style none --warmup 1 --runs "$runs" --export-json "$out/$name.hyperfine.json" \
        -n old "$(q "$old" "${args[@]}" "$src") > /dev/null" -n new "$(q "$new" "${args[@]}" "$src") > /dev/null" >/dev/null
    same=$(cmp -s "$out/$name.old.sorted" "$out/$name.new.sorted" && echo identical || echo "DIFFERENT ($(diff "$out/$name.old.sorted" "$out/$name.new.sorted" | grep -c '^[<>]') lines)")
    python3 - "$out/$name.hyperfine.json" "$out/$name.old.time" "$out/$name.new.time" "$name" "$same" <<'PY'
import json, re, sys
h = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = [int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(p).read()).group(1)) / 1024 for p in sys.argv[2:4]]
o, n = h["old"]["median"], h["new"]["median"]
print(f"| {sys.argv[4]} | {o:.3f} | {n:.3f} | {n / o:.2f} | {rss[0]:.0f} | {rss[1]:.0f} | {sys.argv[5]} |")
PY
done
