#!/usr/bin/env bash
# The whole test suite, on a fresh machine of this project's kind: installs what the tests
# need (registry packages only, via the corpus recipes), builds the ground-truth corpus into
# the cache (${XDG_CACHE_HOME:-~/.cache}/binsight, reused when inputs are unchanged), then runs
# every test. Non-interactive; fails loudly if anything cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n== %s\n' "$*" >&2; }
# Debian packages: as root, install (refreshing the package lists once if they are stale).
apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "test.sh: needs: sudo apt-get install -y --no-install-recommends $*" >&2; exit 1; fi
  apt-get install -y -qq --no-install-recommends "$@" >&2 \
    || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2; }
}
installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }

step "Debian packages (scripts/debian-packages.txt: every one named, recommends never relied on)"
mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' scripts/debian-packages.txt | awk '{print $1}')
missing=(); for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt_install "${missing[@]}" || true
  still=(); for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
  if [ "${#still[@]}" -gt 0 ]; then
    echo "test.sh: Debian packages still missing: ${still[*]}" >&2
    echo "test.sh: run as root: apt-get update && apt-get install -y --no-install-recommends ${still[*]}" >&2
    exit 1
  fi
fi
for t in python3 cargo rustup go npm node; do
  command -v "$t" >/dev/null || { echo "test.sh: '$t' not found on PATH: the machine's toolchains (Rust by rustup, Go, Python, Node) are needed" >&2; exit 1; }
done

cache="${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}"
logs="$cache/test-logs"
mkdir -p "$logs"

# The pinned peers the tests compare with, each idempotent (skipped when cached).
sarif_dir="$cache/tools/sarif-multitool-5.7.0"
install_sarif() { # SARIF validator (npm @microsoft/sarif-multitool)
  [ -x "$sarif_dir/node_modules/.bin/sarif-multitool" ] && return 0
  npm install --prefix "$sarif_dir" --no-save --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0
}
audit_ver=0.22.2
audit_dir="$cache/tools/cargo-audit-$audit_ver"
install_cargo_audit() { # cargo-audit (crates.io): the reference the audit is compared with
  [ -x "$audit_dir/bin/cargo-audit" ] && return 0
  rm -rf "$audit_dir.partial"
  # A reference tool run on a few small inputs: built at opt-level 1 without debug info or LTO,
  # to shorten its build, which runs beside the cold run's longest chain.
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked --quiet cargo-audit --version "$audit_ver" --root "$audit_dir.partial"
  rm -rf "$audit_dir" && mv "$audit_dir.partial" "$audit_dir"
}
sbom_venv="$cache/tools/sbom-venv-cdx11.12.0-spdx0.8.5"
install_sbom_validators() { # SBOM validators (PyPI cyclonedx-python-lib, spdx-tools)
  "$sbom_venv/bin/python" -c "import cyclonedx.validation.json, spdx_tools" 2>/dev/null && return 0
  rm -rf "$sbom_venv.partial" "$sbom_venv"
  python3 -m venv "$sbom_venv.partial"
  "$sbom_venv.partial/bin/pip" install --quiet --disable-pip-version-check \
    "cyclonedx-python-lib[json-validation]==11.12.0" "spdx-tools==0.8.5"
  mv "$sbom_venv.partial" "$sbom_venv"
}
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  apt_install python3-venv # Debian splits venv out of python3
fi

# Side by side on a cold machine (none depends on another; each logs to $logs): the corpus
# (itself two lanes), the peers above, and the build of the test binaries. The corpus's zig
# builds are the longest chain and use one core: everything else runs niced, filling the
# other core and the gaps (downloads) without starving that chain.
step "corpus (see corpus/README.md), peers and the test build, side by side; logs in $logs"
rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl >&2
start=$(date +%s)
pids=() names=()
bg() { # NAME CMD...: run CMD in the background at a lower priority, its output in $logs/NAME.log
  local name=$1; shift
  ( renice -n 10 -p "$BASHPID" >/dev/null; "$@" ) >"$logs/$name.log" 2>&1 &
  pids+=("$!") names+=("$name")
}
bg sarif-multitool install_sarif
bg cargo-audit install_cargo_audit
bg sbom-validators install_sbom_validators
# The Go peers of the agreement tests (govulncheck, syft), from the Go module proxy at pinned
# versions; trivy, grype and osv-scanner (the longest builds) are the benchmark's only, and it
# runs osv-scanner's agreement test (scripts/bench/run.sh).
bg go-peers scripts/peers.sh govulncheck syft
bg test-build cargo test --workspace --locked --no-run
corpus/build # in the foreground: its progress is the long part
failed=()
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then failed+=("${names[$i]}"); fi
done
for n in "${failed[@]}"; do
  echo "test.sh: ${n} failed; the end of $logs/$n.log:" >&2
  tail -n 30 "$logs/$n.log" >&2
done
[ "${#failed[@]}" -eq 0 ] || exit 1
echo "corpus, peers and test build ready in $(( $(date +%s) - start ))s" >&2

export BINSIGHT_SARIF_MULTITOOL="$sarif_dir/node_modules/.bin/sarif-multitool"
export BINSIGHT_CARGO_AUDIT="$audit_dir/bin/cargo-audit"
export BINSIGHT_SBOM_PYTHON="$sbom_venv/bin/python"
BINSIGHT_GOVULNCHECK=$(scripts/peers.sh --path govulncheck) BINSIGHT_SYFT=$(scripts/peers.sh --path syft)
export BINSIGHT_GOVULNCHECK BINSIGHT_SYFT
# registry: scans and pack --push are tested against a real registry filled/read by skopeo;
# packed images are unpacked by umoci and run (aarch64 under qemu).
BINSIGHT_DOCKER_REGISTRY=$(command -v docker-registry) BINSIGHT_SKOPEO=$(command -v skopeo)
BINSIGHT_UMOCI=$(command -v umoci) BINSIGHT_QEMU_AARCH64=$(command -v qemu-aarch64-static)
export BINSIGHT_DOCKER_REGISTRY BINSIGHT_SKOPEO BINSIGHT_UMOCI BINSIGHT_QEMU_AARCH64

step "cargo test --workspace"
cargo test --workspace --locked

step "code habits: rustfmt, clippy (-D warnings, no function over 100 lines: clippy.toml), no import cycle between modules"
rustup component add clippy rustfmt >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
python3 scripts/metrics/module_cycles.py
