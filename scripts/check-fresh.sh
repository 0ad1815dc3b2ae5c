#!/usr/bin/env bash
# check-fresh.sh: proves that the README's test command (`bash .ci/run`, which runs
# scripts/test.sh) passes on a FRESH machine of this project's kind, and how long it takes cold
# (nothing cached) and warm (second run, same machine).
#
# The fresh machine is a clean Debian root made by debootstrap (bookworm, variant minbase by
# default: the smallest Debian there is, so every Debian package the suite needs must be named
# in scripts/debian-packages.txt or installed by a recipe), plus only what this kind of machine
# has that is not a Debian package:
#   - its network setup: apt sources, the apt configuration and keyrings no Debian package owns
#     (the machine's own) and those the sources name, the CA bundle and the CAs
#     in /usr/local/share/ca-certificates (a TLS-intercepting proxy), /etc/resolv.conf,
#     /etc/hosts, the registry clients' config files (/etc/pip.conf, npmrc, ~/.npmrc,
#     ~/.config/go/env, ~/.gitconfig) and the environment variables that configure trust and
#     registries (SSL_CERT_FILE, PIP_*, NODE_EXTRA_CA_CERTS, RUSTUP_*, GO*...);
#   - its preinstalled toolchains: rustup's /root/.rustup (as the machine had it when it started:
#     see --rustup-as-is) and /root/.pyenv as overlays (the host directories are the read-only
#     lower layer; toolchains and targets the suite installs land in the temporary upper layer,
#     never in the host's; copied instead where overlay mounts fail), /usr/local/go,
#     /usr/bin/node and /usr/lib/node_modules/npm bind-mounted read-only (and PIP_FIND_LINKS
#     directories, such as /opt/wheels), and a NEW /root/.cargo holding only the
#     rustup proxies (empty registry cache: crates are downloaded anew). The binsight cache
#     (~/.cache/binsight inside) starts empty.
# Nothing else of the host is visible. The repository is cloned afresh (committed HEAD, or
# --ref) to /root/src/binsight inside, with the project's shared/ folder read-only beside it
# (/root/src/shared, as CI lays it), and `CI=true bash .ci/run </dev/null` runs there twice.
#
# Run (as root; about 20-40 min on 2 cores for the cold run):
#   scripts/check-fresh.sh                 # cold run, then warm run; prints both wall times
#   scripts/check-fresh.sh --cold-only --ref origin/main --keep
# Options:
#   --ref REF        commit to test (default HEAD; uncommitted changes are never tested)
#   --repo DIR       repository to clone (default: the one holding this script)
#   --shared DIR|none  the shared/ folder laid read-only beside the clone (default: the shared/
#                    beside the repository, as CI lays it)
#   --cold-only      skip the warm run
#   --keep           leave the temporary root for inspection (its mounts are gone)
#   --variant V      debootstrap variant, minbase (default) or default
#   --tmpdir DIR     parent of the temporary root (default /var/tmp; never inside the clone)
#   --rustup-as-is   show the host's /root/.rustup as it is now (by default, the toolchains and
#                    targets added to it after the machine started, by test runs on the host, are
#                    hidden: a fresh machine has only the preinstalled ones)
#   --run CMD        run CMD instead of `bash .ci/run` in the clone, to check this script's own
#                    mechanics (e.g. --run 'rustup show'); not recorded in results.log
# Outputs, under ${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}/fresh/ (the host's):
#   base-SUITE-VARIANT-ARCH-SHA.tar.gz  the debootstrap result, keyed by the sha256 of the host's
#                    apt sources: reruns do not debootstrap again
#   logs/DATE-COMMIT-{cold,warm}.log  full logs of both runs, with the suite's own logs
#                    (~/.cache/binsight/test-logs inside) beside them as *-test-logs/, and
#                    *.cpu: how busy the machine's CPU was, every 15 s (CPU-bound or waiting?)
#   results.log      one line per run: date, commit, cold and warm seconds, load average
# The times are those of `bash .ci/run` alone (debootstrap, extraction, mounts and the clone are
# timed apart). Other work on the machine slows the runs: the load average at the end of each is
# printed and logged. Exit status: 0 when every run passed, 1 when a run failed (the tail of its
# log is printed), 2 on a setup error, 3 when something could not be unmounted.
#
# How it is kept safe: all the work runs in a private mount and PID namespace (unshare), so no
# mount made here is ever visible on the host and every process started inside ends with it.
# Inside, everything is mounted under the root, which is first bind-mounted onto itself, and is
# unmounted with `umount -R` and checked with findmnt at the end. The temporary directory is
# removed afterwards from the host's namespace, where nothing was ever mounted in it, and only
# once findmnt confirms that; `rm --one-file-system` on top. Needs: bash, coreutils, util-linux
# (unshare, mount, findmnt, chroot), tar, gzip, git, debootstrap (installed with apt-get when
# missing). No mirror or registry host name is written here: the apt mirror is read from the
# host's own apt sources at run time.
set -euo pipefail

prog=check-fresh
say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "error: $*"; exit 2; }

usage() {
  local line
  while IFS= read -r line; do
    [[ $line == '#!'* ]] && continue
    [[ $line == '#'* ]] || break
    line=${line#\#}
    printf '%s\n' "${line# }"
  done <"$1"
}

# ---------------------------------------------------------------------------------------------
# Host apt configuration (read at run time; nothing of it is written into the repository).

# The apt source files apt reads, in apt's order.
apt_source_files() {
  local f
  [ -f /etc/apt/sources.list ] && printf '%s\n' /etc/apt/sources.list
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && printf '%s\n' "$f"
  done
  return 0
}

# Prints "URI KEYRING" of the first enabled `deb` source carrying SUITE (KEYRING may be "-").
apt_mirror_for() {
  local suite=$1 f line key val types uris suites signed enabled eof i opts kr
  local -a words
  while IFS= read -r f; do
    case $f in
      *.sources) # deb822 stanzas, separated by blank lines
        types='' uris='' suites='' signed='' enabled=yes eof=0
        while [ "$eof" = 0 ]; do
          IFS= read -r line || { eof=1; line=''; }
          if [[ -z ${line//[[:space:]]/} ]]; then
            if [[ " $types " == *" deb "* && ${enabled,,} != no && " $suites " == *" $suite "* && -n $uris ]]; then
              read -r -a words <<<"$uris"
              printf '%s %s\n' "${words[0]}" "${signed:--}"
              return 0
            fi
            types='' uris='' suites='' signed='' enabled=yes
            continue
          fi
          [[ $line == '#'* || $line == [[:space:]]* ]] && continue
          key=${line%%:*} val=${line#*:}
          val=${val#"${val%%[![:space:]]*}"}
          case ${key,,} in
            types) types=$val ;;
            uris) uris=$val ;;
            suites) suites=$val ;;
            signed-by) [[ $val == /* ]] && signed=$val ;;
            enabled) enabled=$val ;;
          esac
        done <"$f"
        ;;
      *) # one-line format: deb [options] URI SUITE COMPONENT...
        while IFS= read -r line; do
          line=${line%%#*}
          read -r -a words <<<"$line"
          if [ "${#words[@]}" -lt 3 ] || [ "${words[0]}" != deb ]; then continue; fi
          i=1 opts='' kr=-
          if [[ ${words[1]} == '['* ]]; then
            while [ "$i" -lt "${#words[@]}" ]; do
              opts+=" ${words[$i]}"
              i=$((i + 1))
              [[ $opts == *']' ]] && break
            done
            if [[ $opts =~ signed-by=(/[^][:space:]]+) ]]; then kr=${BASH_REMATCH[1]}; fi
          fi
          if [ "${words[$((i + 1))]:-}" = "$suite" ]; then
            printf '%s %s\n' "${words[$i]}" "$kr"
            return 0
          fi
        done <"$f"
        ;;
    esac
  done < <(apt_source_files)
  return 1
}

# Every keyring file the apt sources name (Signed-By / signed-by=), one a line.
apt_keyrings() {
  local f line
  while IFS= read -r f; do
    while IFS= read -r line; do
      if [[ $line =~ ^[Ss]igned-[Bb]y:[[:space:]]*(/[^[:space:]]+) ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
      elif [[ ${line%%#*} =~ signed-by=(/[^][:space:]]+) ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
      fi
    done <"$f"
  done < <(apt_source_files)
}

# sha256 of the host's apt sources (names and contents): the base tarball's cache key.
apt_sources_sha256() {
  local f sum
  sum=$(while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done < <(apt_source_files) | sha256sum)
  printf '%s\n' "${sum%% *}"
}

# ---------------------------------------------------------------------------------------------
# Mount helpers (used inside the private mount namespace).

# Mount points at or under DIR, in mount order, one a line.
mounts_under() {
  local dir=$1 t
  while IFS= read -r t; do
    [[ $t == "$dir" || $t == "$dir"/* ]] && printf '%s\n' "$t"
  done < <(findmnt -rn -o TARGET)
  return 0
}

# Unmounts everything at or under DIR (`umount -R` on each topmost mount point; lazily if that
# leaves something), then checks with findmnt. Returns 1 if anything is still mounted.
unmount_all() {
  local dir=$1 t top
  local -a ts tops how
  for how in -R -Rl; do
    mapfile -t ts < <(mounts_under "$dir")
    [ "${#ts[@]}" -gt 0 ] || return 0
    [ "$how" = -R ] || say "umount -R left mounts under $dir; detaching them lazily: ${ts[*]}"
    tops=()
    for t in "${ts[@]}"; do
      for top in "${tops[@]}"; do [[ $t == "$top" || $t == "$top"/* ]] && continue 2; done
      tops+=("$t")
    done
    for t in "${tops[@]}"; do umount "$how" "$t" 2>/dev/null || true; done
  done
  mapfile -t ts < <(mounts_under "$dir")
  [ "${#ts[@]}" -eq 0 ] && return 0
  say "still mounted under $dir (nothing there will be deleted):"
  printf '  %s\n' "${ts[@]}" >&2
  return 1
}

# rm -rf DIR, but only once nothing is mounted at or under it.
safe_rm() {
  local dir=$1
  [ -e "$dir" ] || return 0
  unmount_all "$dir" || { say "not removing $dir: mounts remain"; return 1; }
  rm -rf --one-file-system -- "$dir"
}

bind_ro() { # SRC DST: read-only bind mount (DST created as SRC's kind)
  local src=$1 dst=$2
  if [ -d "$src" ]; then mkdir -p "$dst"; else mkdir -p "$(dirname "$dst")"; : >"$dst"; fi
  mount --bind "$src" "$dst"
  mount -o remount,bind,ro "$dst"
}

# ---------------------------------------------------------------------------------------------
# Processes inside the PID namespace (PID 1 is the inner script itself).

leftover_pids() {
  local p n
  for p in /proc/[0-9]*; do
    n=${p#/proc/}
    [ "$n" = 1 ] || [ "$n" = "$BASHPID" ] || [ "$n" = "$$" ] && continue
    [ -r "$p/cmdline" ] && printf '%s\n' "$n"
  done
  return 0
}

# Ends (by PID) whatever the suite left running; lists it first. Prints nothing if none.
end_leftovers() {
  local label=$1 p cmd
  local -a pids
  mapfile -t pids < <(leftover_pids)
  [ "${#pids[@]}" -gt 0 ] || return 0
  say "$label left ${#pids[@]} process(es) running; ending them:"
  for p in "${pids[@]}"; do
    cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
    say "  pid $p: ${cmd:0:200}"
  done
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    [ -n "$(leftover_pids)" ] || return 0
    sleep 0.5
  done
  mapfile -t pids < <(leftover_pids)
  [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# The inner part: runs as PID 1 of a new PID namespace with a private mount namespace.

inner() {
  local tmp=$CF_TMP root=$CF_TMP/root cache=$CF_CACHE setup_t0
  setup_t0=$(date +%s)
  trap 'exit 130' INT TERM HUP
  trap 'inner_cleanup' EXIT
  mount --make-rprivate /

  # overlayfs for the toolchain homes, if the kernel allows it here.
  local use_overlay=1 probe=$tmp/overlay-probe
  mkdir -p "$probe"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    umount "$probe/merged"
  else
    use_overlay=0
    say "overlay mounts are not supported here: /root/.rustup and /root/.pyenv are COPIED into the root instead (cp -a --reflink=auto; slower, several GB)"
  fi
  rm -rf "$probe"

  # The debootstrapped base, cached.
  local arch key tarball mirror keyring
  arch=$(dpkg --print-architecture)
  key=$(apt_sources_sha256)
  tarball=$cache/base-$CF_SUITE-$CF_VARIANT-$arch-${key:0:16}.tar.gz
  if [ ! -s "$tarball" ]; then
    read -r mirror keyring < <(apt_mirror_for "$CF_SUITE") \
      || die "no enabled 'deb' source for suite $CF_SUITE in the host's apt sources ($(apt_source_files | tr '\n' ' '))"
    local -a dbopts=(--variant="$CF_VARIANT" --arch="$arch")
    [ "$CF_VARIANT" = default ] && dbopts=(--arch="$arch")
    [[ $keyring == *.gpg && -f $keyring ]] && dbopts+=(--keyring="$keyring")
    local dbdir=$tmp/debootstrap dblog t0
    dblog=$cache/logs/debootstrap-$(date -u +%Y%m%dT%H%M%SZ).log
    mkdir -p "$dbdir"
    mount --bind "$dbdir" "$dbdir"
    say "debootstrap $CF_SUITE ($CF_VARIANT, $arch) from the host's apt mirror; log: $dblog"
    t0=$(date +%s)
    if ! debootstrap "${dbopts[@]}" "$CF_SUITE" "$dbdir" "$mirror" >"$dblog" 2>&1; then
      tail -n 30 "$dblog" >&2
      [ -f "$dbdir/debootstrap/debootstrap.log" ] && tail -n 30 "$dbdir/debootstrap/debootstrap.log" >&2
      die "debootstrap failed (log: $dblog)"
    fi
    unmount_all "$dbdir" || die "could not unmount $dbdir"
    rm -rf "$dbdir"/var/cache/apt/archives/*.deb "$dbdir"/var/lib/apt/lists/* 2>/dev/null || true
    tar --numeric-owner --xattrs --xattrs-include='*' -C "$dbdir" -czf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    safe_rm "$dbdir"
    say "base cached in $(($(date +%s) - t0)) s: $tarball"
  else
    say "base: $tarball (cached)"
  fi

  mkdir -p "$root"
  mount --bind "$root" "$root" # everything below is then unmounted by one `umount -R $root`
  tar --numeric-owner --xattrs --xattrs-include='*' -C "$root" -xpzf "$tarball"

  setup_machine "$root"
  setup_toolchains "$root" "$tmp" "$use_overlay"
  setup_kernel_fs "$root"

  # The fresh clone.
  local src=$root/root/src/binsight
  mkdir -p "$root/root/src"
  git clone --quiet --no-hardlinks "$CF_REPO" "$src"
  git -C "$src" -c advice.detachedHead=false checkout --quiet --detach "$CF_COMMIT" \
    || die "commit $CF_COMMIT is not reachable from a branch or tag of $CF_REPO"
  say "clone: $(git -C "$src" log -1 --format='%h %s' | cut -c1-100)"
  if [ -n "$CF_SHARED" ]; then
    bind_ro "$CF_SHARED" "$root/root/src/shared"
    say "shared: $CF_SHARED, read-only at /root/src/shared"
  fi

  # The environment inside: HOME, a PATH over the mounted toolchains, CI=true, and the host's
  # variables that configure trust and registries.
  local -a envs=(HOME=/root USER=root LOGNAME=root SHELL=/bin/bash CI=true
    "PATH=/usr/local/go/bin:/root/go/bin:/root/.cargo/bin:/root/.pyenv/shims:/root/.pyenv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
  local v pass='^(SSL_CERT_FILE|SSL_CERT_DIR|NODE_EXTRA_CA_CERTS|GIT_SSL_CAINFO|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|AWS_CA_BUNDLE|NIX_SSL_CERT_FILE|HTTPLIB2_CA_CERTS|GRPC_DEFAULT_SSL_ROOTS_FILE_PATH|CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE|PIP_[A-Z0-9_]+|UV_[A-Z0-9_]+|PYENV_ROOT|PYTHONDONTWRITEBYTECODE|PYTHONUNBUFFERED|RUSTUP_[A-Z0-9_]+|CARGO_HTTP_[A-Z0-9_]+|CARGO_NET_[A-Z0-9_]+|CARGO_REGISTRIES_[A-Z0-9_]+|CARGO_REGISTRY_[A-Z0-9_]+|GOPROXY|GOSUMDB|GONOSUMDB|GONOSUMCHECK|GONOPROXY|GOPRIVATE|GOINSECURE|GOFLAGS|GOTOOLCHAIN|NPM_CONFIG_[A-Za-z0-9_]+|npm_config_[A-Za-z0-9_]+|YARN_[A-Z0-9_]+|http_proxy|https_proxy|no_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|all_proxy|LANG|LC_ALL|TZ|DEBIAN_FRONTEND|RUST_BACKTRACE|OPENBLAS_CORETYPE|OPENBLAS_L2_SIZE)$'
  for v in $(compgen -e); do
    [[ $v =~ $pass && $v != RUSTUP_HOME ]] && envs+=("$v=${!v}")
  done
  local names=''
  for v in "${envs[@]}"; do names+=" ${v%%=*}"; done
  say "environment inside:$names"
  say "root ready in $(($(date +%s) - setup_t0)) s"

  # The runs.
  local logs=$cache/logs stamp short rc_cold=0 rc_warm=0 t_cold t_warm='-' load_cold load_warm=-
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  short=${CF_COMMIT:0:12}
  local log_cold=$logs/$stamp-$short-cold.log log_warm=$logs/$stamp-$short-warm.log
  run_suite cold "$root" "$log_cold" "${envs[@]}" || rc_cold=$?
  t_cold=$RUN_SECONDS load_cold=$RUN_LOAD
  end_leftovers "the cold run"
  if [ "$CF_COLD_ONLY" = 0 ] && [ "$rc_cold" = 0 ]; then
    run_suite warm "$root" "$log_warm" "${envs[@]}" || rc_warm=$?
    t_warm=$RUN_SECONDS load_warm=$RUN_LOAD
    end_leftovers "the warm run"
  fi

  local st_cold=ok st_warm=ok line
  [ "$rc_cold" = 0 ] || st_cold="FAILED(exit $rc_cold)"
  [ "$rc_warm" = 0 ] || st_warm="FAILED(exit $rc_warm)"
  [ "$t_warm" = - ] && st_warm='not run'
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$CF_COMMIT variant=$CF_VARIANT cold=${t_cold}s($st_cold) warm=${t_warm}$([ "$t_warm" = - ] || echo s)($st_warm) load=$load_cold/$load_warm"
  [ "$CF_CUSTOM_RUN" = 1 ] || printf '%s\n' "$line" >>"$cache/results.log" # --run: not a result

  printf '\n' >&2
  say "logs: $log_cold"
  [ "$t_warm" = - ] || say "      $log_warm"
  say "results: $cache/results.log"
  if [ "$rc_cold" != 0 ]; then
    say "the COLD run failed (exit $rc_cold) after $t_cold s; last lines of $log_cold:"
    tail -n 60 "$log_cold" >&2
    return 1
  fi
  if [ "$rc_warm" != 0 ]; then
    say "the WARM run failed (exit $rc_warm) after $t_warm s; last lines of $log_warm:"
    tail -n 60 "$log_warm" >&2
    return 1
  fi
  [ "$t_cold" -le 5400 ] || say "warning: the cold run took longer than CI's 90 minutes (5400 s)"
  if [ "$t_warm" = - ]; then
    say "cold $t_cold s (warm not run: --cold-only) — commit ${CF_COMMIT:0:12}"
  else
    say "cold $t_cold s, warm $t_warm s — commit ${CF_COMMIT:0:12}"
  fi
}

# shellcheck disable=SC2317  # an EXIT trap
inner_cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  end_leftovers "this run" || true
  unmount_all "$CF_TMP" || rc=3
  exit "$rc"
}

# cpu_times: the machine's CPU time so far (/proc/stat, in ticks): busy idle iowait.
cpu_times() {
  local _cpu user nice sys idle iowait irq softirq steal _rest
  read -r _cpu user nice sys idle iowait irq softirq steal _rest </proc/stat
  echo "$((user + nice + sys + irq + softirq + steal)) $idle $iowait"
}

# cpu_sampler OUT PID: while PID runs, one line every 15 s in OUT: seconds since the start, and
# the share of the machine's CPU time that was busy, idle and waiting on I/O in those 15 s (is
# the run CPU-bound, or waiting on downloads?).
cpu_sampler() {
  local out=$1 pid=$2 t0 b0 i0 w0 b i w db di dw all
  t0=$(date +%s)
  read -r b0 i0 w0 < <(cpu_times)
  echo "# seconds busy% idle% iowait% (every 15 s)" >"$out"
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    read -r b i w < <(cpu_times)
    db=$((b - b0)) di=$((i - i0)) dw=$((w - w0)) all=$(((b - b0) + (i - i0) + (w - w0)))
    [ "$all" -gt 0 ] && echo "$(($(date +%s) - t0)) $((100 * db / all)) $((100 * di / all)) $((100 * dw / all))" >>"$out"
    b0=$b i0=$i w0=$w
  done
}

# run_suite LABEL ROOT LOG ENV...: runs .ci/run in the root; sets RUN_SECONDS; returns its status.
# Output goes straight to the log (a daemon the suite leaves behind cannot hold a pipe open);
# its "== step" lines are echoed as they appear.
run_suite() {
  local label=$1 root=$2 log=$3 t0 rc=0 cpid line spid c0 c1
  shift 3
  say "$label run: CI=true $CF_RUN in /root/src/binsight (log: $log)"
  t0=$(date +%s)
  c0=$(cpu_times)
  : >"$log"
  chroot "$root" /usr/bin/env -i "$@" /bin/bash -c "cd /root/src/binsight && $CF_RUN" \
    </dev/null >"$log" 2>&1 &
  cpid=$!
  cpu_sampler "${log%.log}.cpu" "$cpid" &
  spid=$!
  { tail -n +1 -f --pid="$cpid" "$log" 2>/dev/null | while IFS= read -r line; do
      [[ $line == '== '* ]] && printf '%s: [%s +%ss] %s\n' "$prog" "$label" "$(($(date +%s) - t0))" "$line" >&2
    done; } &
  wait "$cpid" || rc=$? # (`wait`, unlike a foreground pipeline, lets a signal's trap run at once)
  wait "$!" || true
  RUN_SECONDS=$(($(date +%s) - t0))
  pkill -P "$spid" sleep 2>/dev/null || true # the sampler's sleep: it then sees the run ended
  wait "$spid" 2>/dev/null || true
  c1=$(cpu_times)
  if [ -d "$root/root/.cache/binsight/test-logs" ]; then # the suite's own logs, kept with ours
    cp -a "$root/root/.cache/binsight/test-logs" "${log%.log}-test-logs"
  fi
  read -r RUN_LOAD _ </proc/loadavg # other work on the machine slows the run: say how busy it was
  say "$label run: exit $rc after $RUN_SECONDS s (load average at the end: $RUN_LOAD)"
  local b0 i0 w0 b1 i1 w1 all
  read -r b0 i0 w0 <<<"$c0"
  read -r b1 i1 w1 <<<"$c1"
  all=$(((b1 - b0) + (i1 - i0) + (w1 - w0)))
  [ "$all" -gt 0 ] && say "$label run: the machine's CPU was busy $((100 * (b1 - b0) / all))%, idle $((100 * (i1 - i0) / all))%, waiting on I/O $((100 * (w1 - w0) / all))% (every 15 s: ${log%.log}.cpu)"
  return "$rc"
}

# The machine's own (non-package) setup, copied from the host.
setup_machine() {
  local root=$1 f k rel
  # apt: the host's sources (only those apt reads), and the apt configuration, preferences,
  # keyrings and auth files that no Debian package owns (the machine's own), plus every
  # keyring the sources name.
  rm -f "$root/etc/apt/sources.list"
  mkdir -p "$root/etc/apt/sources.list.d"
  while IFS= read -r f; do cp -a "$f" "$root$f"; done < <(apt_source_files)
  for f in /etc/apt/apt.conf.d/* /etc/apt/preferences.d/* /etc/apt/trusted.gpg /etc/apt/trusted.gpg.d/* \
    /etc/apt/keyrings/* /etc/apt/auth.conf.d/*; do
    [ -f "$f" ] || continue
    dpkg-query -S "$f" >/dev/null 2>&1 && continue
    mkdir -p "$root$(dirname "$f")"
    cp -a "$f" "$root$f"
  done
  while IFS= read -r k; do
    [ -f "$k" ] || continue
    if [ ! -e "$root$k" ] || ! cmp -s "$k" "$root$k"; then
      mkdir -p "$root$(dirname "$k")"
      cp -a "$k" "$root$k"
    fi
  done < <(apt_keyrings | sort -u)
  # TLS trust: the bundle and the local CAs (the ca-certificates package, once installed, rebuilds
  # the bundle from them).
  mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  if [ -d /usr/local/share/ca-certificates ]; then
    cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  fi
  # Name resolution.
  rm -f "$root/etc/resolv.conf"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  cp -L /etc/hosts "$root/etc/hosts"
  # Registry clients' configuration files of this machine (trust and registries).
  for rel in /etc/pip.conf /etc/npmrc /usr/etc/npmrc /root/.npmrc /root/.config/go/env /root/.gitconfig; do
    [ -f "$rel" ] || continue
    mkdir -p "$root$(dirname "$rel")"
    cp -a "$rel" "$root$rel"
  done
}

# rustup_as_preinstalled HOST_RUSTUP DEST overlay|copy: the host's /root/.rustup as the machine
# had it when it started. Test runs on the host (scripts/test.sh there) add toolchains and
# targets to it; a fresh machine has none of them, so what was added after the machine started
# (born more than 3 minutes after boot: toolchains, and components with their files, read from
# rustup's own manifest-* lists) is hidden: by overlayfs whiteouts in DEST (the upper layer,
# before it is mounted) or deleted from DEST (a copy). Says what it hid.
rustup_as_preinstalled() {
  local src=$1 dest=$2 mode=$3 cutoff t name rl comp m line rel top n_low n_hid changed
  local -a hidden=() keep=() low
  local -A listed=() tdirs=() gone=()
  cutoff=$(($(boot_time) + 180))
  for t in "$src"/toolchains/*; do
    name=${t##*/}
    [ -e "$t" ] || [ -L "$t" ] || continue
    if [ "$(born "$t")" -gt "$cutoff" ]; then
      hide_path "$dest" "$mode" "toolchains/$name"
      if [ -e "$src/update-hashes/$name" ]; then hide_path "$dest" "$mode" "update-hashes/$name"; fi
      hidden+=("toolchain $name")
      continue
    fi
    [ -L "$t" ] && continue
    rl=lib/rustlib keep=() changed=0 gone=()
    [ -f "$t/$rl/components" ] || continue
    while IFS= read -r comp; do
      m=$t/$rl/manifest-$comp
      if [ -n "$comp" ] && [ -f "$m" ] && [ "$(born "$m")" -gt "$cutoff" ]; then
        listed=() tdirs=()
        while IFS= read -r line; do
          rel=${line#*:}
          [ -n "$rel" ] || continue
          listed[$rel]=1
          [[ $rel == "$rl"/*/* ]] && { top=${rel#"$rl"/}; tdirs[$rl/${top%%/*}]=1; }
        done <"$m"
        # A target directory all of whose files the component brought is hidden whole.
        for top in "${!tdirs[@]}"; do
          shopt -s globstar dotglob nullglob
          low=("$t/$top"/**)
          shopt -u globstar dotglob nullglob
          n_low=0 n_hid=0
          for line in "${low[@]}"; do
            [ -d "$line" ] && [ ! -L "$line" ] && continue
            n_low=$((n_low + 1))
            [ -n "${listed[${line#"$t"/}]:-}" ] && n_hid=$((n_hid + 1))
          done
          if [ "$n_low" = "$n_hid" ]; then
            for rel in "${!listed[@]}"; do [[ $rel == "$top"/* ]] && unset "listed[$rel]"; done
            hide_path "$dest" "$mode" "toolchains/$name/$top"
          fi
        done
        for rel in "${!listed[@]}"; do hide_path "$dest" "$mode" "toolchains/$name/$rel"; done
        hide_path "$dest" "$mode" "toolchains/$name/$rl/manifest-$comp"
        # shellcheck disable=SC2034  # read through a nameref by filter_multirust_config
        changed=1 gone[$comp]=1
        hidden+=("$name: $comp")
      else
        keep+=("$comp")
      fi
    done <"$t/$rl/components"
    if [ "$changed" = 1 ]; then # rustup's list of installed components, without the hidden ones
      mkdir -p "$dest/toolchains/$name/$rl"
      rm -f "$dest/toolchains/$name/$rl/components"
      printf '%s\n' "${keep[@]}" >"$dest/toolchains/$name/$rl/components"
      # ... and rustup's own record of them (TOML [[components]] tables of pkg and target).
      if [ -f "$t/$rl/multirust-config.toml" ]; then
        filter_multirust_config gone <"$t/$rl/multirust-config.toml" >"$dest/toolchains/$name/$rl/multirust-config.toml.new"
        mv "$dest/toolchains/$name/$rl/multirust-config.toml.new" "$dest/toolchains/$name/$rl/multirust-config.toml"
      fi
    fi
  done
  if [ "${#hidden[@]}" -gt 0 ]; then
    say "rustup: hidden from the root (added to the host's $src after the machine started):"
    printf '  %s\n' "${hidden[@]}" >&2
  fi
}

# filter_multirust_config ASSOC_NAME: stdin's multirust-config.toml without the [[components]]
# tables whose component name (pkg-target, or pkg for target "*") is a key of the named array.
filter_multirust_config() {
  local -n drop=$1
  local line block='' pkg='' target='' name
  flush() {
    if [ -n "$block" ]; then
      name=$pkg-$target
      [ "$target" = '*' ] && name=$pkg
      [ -n "$pkg" ] && [ -n "${drop[$name]:-}" ] || printf '%s' "$block"
    fi
    block='' pkg='' target=''
  }
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line == '[['*']]' || $line == '['*']' ]] && flush
    [[ $line =~ ^pkg[[:space:]]*=[[:space:]]*\"([^\"]*)\" ]] && pkg=${BASH_REMATCH[1]}
    [[ $line =~ ^target[[:space:]]*=[[:space:]]*\"([^\"]*)\" ]] && target=${BASH_REMATCH[1]}
    block+=$line$'\n'
  done
  flush
}

boot_time() { local k v; while read -r k v; do [ "$k" = btime ] && { echo "$v"; return; }; done </proc/stat; echo 0; }
born() { # PATH: its birth time (the file system's, else its mtime), not following a symlink
  local b
  b=$(stat -c %W -- "$1")
  [ "$b" -gt 0 ] 2>/dev/null || b=$(stat -c %Y -- "$1")
  echo "$b"
}
hide_path() { # DEST MODE REL: an overlayfs whiteout at DEST/REL, or DEST/REL deleted
  local dest=$1 mode=$2 rel=$3
  if [ "$mode" = overlay ]; then
    mkdir -p "$dest/$(dirname "$rel")"
    rm -rf "${dest:?}/$rel"
    mknod "$dest/$rel" c 0 0
  else
    rm -rf "${dest:?}/$rel"
  fi
}

# The machine's preinstalled toolchains.
setup_toolchains() {
  local root=$1 tmp=$2 use_overlay=$3 d f name
  if [ ! -d /root/.rustup ] || [ ! -x /root/.cargo/bin/rustup ]; then
    die "rustup not found (/root/.rustup, /root/.cargo/bin/rustup)"
  fi
  # /root/.rustup and /root/.pyenv: writable views whose writes stay in the temporary directory.
  for d in /root/.rustup /root/.pyenv; do
    [ -d "$d" ] || die "$d not found on the host"
    name=${d##*/.}
    mkdir -p "$root$d"
    if [ "$use_overlay" = 1 ]; then
      mkdir -p "$tmp/overlay/$name/upper" "$tmp/overlay/$name/work"
      if [ "$name" = rustup ] && [ "$CF_RUSTUP_AS_IS" = 0 ]; then
        rustup_as_preinstalled "$d" "$tmp/overlay/$name/upper" overlay
      fi
      mount -t overlay "overlay-$name" \
        -o "lowerdir=$d,upperdir=$tmp/overlay/$name/upper,workdir=$tmp/overlay/$name/work" "$root$d" \
        || die "overlay mount of $d failed"
    else
      cp -a --reflink=auto "$d/." "$root$d/"
      if [ "$name" = rustup ] && [ "$CF_RUSTUP_AS_IS" = 0 ]; then
        rustup_as_preinstalled "$d" "$root$d" copy
      fi
    fi
  done
  # A new CARGO_HOME: only rustup and its proxies.
  mkdir -p "$root/root/.cargo/bin"
  cp -a /root/.cargo/bin/rustup "$root/root/.cargo/bin/"
  for f in /root/.cargo/bin/*; do
    [ -L "$f" ] && [ "$(readlink "$f")" = rustup ] && cp -a "$f" "$root/root/.cargo/bin/"
  done
  [ -f /root/.cargo/env ] && cp -a /root/.cargo/env "$root/root/.cargo/env"
  # Go and Node: read-only.
  [ -x /usr/local/go/bin/go ] || die "Go not found (/usr/local/go)"
  bind_ro /usr/local/go "$root/usr/local/go"
  [ -x /usr/bin/node ] || die "node not found (/usr/bin/node)"
  bind_ro /usr/bin/node "$root/usr/bin/node"
  [ -d /usr/lib/node_modules/npm ] || die "npm not found (/usr/lib/node_modules/npm)"
  bind_ro /usr/lib/node_modules/npm "$root/usr/lib/node_modules/npm"
  for f in npm npx; do
    [ -L "/usr/bin/$f" ] && ln -sfn "$(readlink "/usr/bin/$f")" "$root/usr/bin/$f"
  done
  # Local wheel directories pip is pointed at (PIP_FIND_LINKS), read-only.
  for d in ${PIP_FIND_LINKS:-}; do
    [[ $d == /* && -d $d ]] && bind_ro "$d" "$root$d"
  done
  return 0
}

# /proc (of the new PID namespace), /sys, /dev with /dev/pts, and a private /dev/shm.
setup_kernel_fs() {
  local root=$1
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  findmnt -rn "$root/dev/pts" >/dev/null || mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
}

# ---------------------------------------------------------------------------------------------
# The outer part: checks, the namespace, and the removal of the temporary directory.

# shellcheck disable=SC2317  # an EXIT trap
outer_cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "${INNER_PID:-}" ] && kill -0 "$INNER_PID" 2>/dev/null; then
    # unshare ignores SIGTERM while it waits: signal its child, the namespace's PID 1, whose
    # trap ends the run's processes and unmounts; if it has not ended in 30 s, SIGKILL it (the
    # kernel then kills every process of the namespace and drops its mounts).
    local ns1='' i
    read -r ns1 _ <"/proc/$INNER_PID/task/$INNER_PID/children" 2>/dev/null || true
    if [ -n "$ns1" ]; then
      say "stopping the run (pid $ns1)"
      kill -TERM "$ns1" 2>/dev/null || true
      for ((i = 0; i < 60; i++)); do kill -0 "$ns1" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$ns1" 2>/dev/null || true
    fi
    wait "$INNER_PID" 2>/dev/null || true
  fi
  if [ -n "${CF_TMP:-}" ] && [ -d "$CF_TMP" ]; then
    local left
    left=$(mounts_under "$CF_TMP")
    if [ -n "$left" ]; then
      say "NOT removing $CF_TMP: still mounted under it:"
      printf '  %s\n' "$left" >&2
      rc=3
    elif [ "$CF_KEEP" = 1 ]; then
      say "kept: $CF_TMP/root (the clone: /root/src/binsight; cache: /root/.cache/binsight; mounts are gone;"
      say "  what the runs wrote to /root/.rustup and /root/.pyenv is in $CF_TMP/overlay/*/upper); remove with: rm -rf $CF_TMP"
    else
      rm -rf --one-file-system -- "$CF_TMP"
    fi
  fi
  exit "$rc"
}

main() {
  local self
  self=$(readlink -f "${BASH_SOURCE[0]}")
  if [ "${1:-}" = --inner ]; then inner; return; fi

  CF_KEEP=0 CF_COLD_ONLY=0 CF_VARIANT=minbase CF_SUITE=bookworm CF_RUN='bash .ci/run' CF_RUSTUP_AS_IS=0
  local custom_run=0
  local ref=HEAD repo tmp_parent=/var/tmp shared=default
  repo=$(dirname "$(dirname "$self")")
  while [ $# -gt 0 ]; do
    case $1 in
      --keep) CF_KEEP=1 ;;
      --cold-only) CF_COLD_ONLY=1 ;;
      --ref) [ $# -ge 2 ] || die "--ref needs a value"; ref=$2; shift ;;
      --ref=*) ref=${1#*=} ;;
      --repo) [ $# -ge 2 ] || die "--repo needs a value"; repo=$2; shift ;;
      --repo=*) repo=${1#*=} ;;
      --variant) [ $# -ge 2 ] || die "--variant needs a value"; CF_VARIANT=$2; shift ;;
      --variant=*) CF_VARIANT=${1#*=} ;;
      --tmpdir) [ $# -ge 2 ] || die "--tmpdir needs a value"; tmp_parent=$2; shift ;;
      --tmpdir=*) tmp_parent=${1#*=} ;;
      --rustup-as-is) CF_RUSTUP_AS_IS=1 ;;
      --shared) [ $# -ge 2 ] || die "--shared needs a value"; shared=$2; shift ;;
      --shared=*) shared=${1#*=} ;;
      --run) [ $# -ge 2 ] || die "--run needs a value"; CF_RUN=$2; custom_run=1; shift ;;
      --run=*) CF_RUN=${1#*=}; custom_run=1 ;;
      -h | --help) usage "$self"; return 0 ;;
      *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
  done
  case $CF_VARIANT in minbase | default) ;; *) die "--variant must be minbase or default" ;; esac

  [ "$(id -u)" = 0 ] || die "must run as root (debootstrap, mounts, chroot)"
  local t
  for t in unshare mount umount findmnt chroot tar gzip git sha256sum dpkg dpkg-query mktemp cmp; do
    command -v "$t" >/dev/null || die "'$t' not found (needs coreutils, util-linux, tar, gzip, git, dpkg)"
  done
  if ! command -v debootstrap >/dev/null; then
    say "debootstrap not found: installing it with apt-get"
    apt-get install -y -qq --no-install-recommends debootstrap >&2 \
      || { apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends debootstrap >&2; } \
      || die "could not install debootstrap (apt-get install debootstrap)"
  fi
  apt_mirror_for "$CF_SUITE" >/dev/null || die "the host's apt sources have no enabled 'deb' source for $CF_SUITE"

  CF_REPO=$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) || die "$repo is not a git repository"
  CF_COMMIT=$(git -C "$CF_REPO" rev-parse --verify --quiet "$ref^{commit}") || die "no commit '$ref' in $CF_REPO"
  case $shared in
    none) CF_SHARED='' ;;
    default)
      CF_SHARED=$(dirname "$CF_REPO")/shared
      if [ ! -d "$CF_SHARED" ]; then
        say "warning: no shared/ beside $CF_REPO: the clone gets none (CI lays a copy beside its clone)"
        CF_SHARED=''
      fi
      ;;
    *) [ -d "$shared" ] || die "--shared $shared: no such directory"; CF_SHARED=$(readlink -f "$shared") ;;
  esac
  CF_CACHE=${BINSIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/binsight}/fresh # as scripts/test.sh
  mkdir -p "$CF_CACHE/logs"
  [ -d "$tmp_parent" ] || die "--tmpdir $tmp_parent: no such directory"
  tmp_parent=$(readlink -f "$tmp_parent")
  [[ $tmp_parent/ == "$CF_REPO"/* ]] && die "--tmpdir must not be inside the repository ($CF_REPO)"

  CF_TMP=$(mktemp -d "$tmp_parent/binsight-fresh.XXXXXX")
  export CF_KEEP CF_COLD_ONLY CF_VARIANT CF_SUITE CF_REPO CF_COMMIT CF_CACHE CF_TMP CF_RUN CF_SHARED CF_RUSTUP_AS_IS CF_CUSTOM_RUN=$custom_run
  trap outer_cleanup EXIT
  trap 'exit 130' INT TERM HUP
  say "repo $CF_REPO, commit $CF_COMMIT ($ref); suite $CF_SUITE ($CF_VARIANT); temporary root $CF_TMP/root"

  # A private mount namespace and a new PID namespace (the inner script is its PID 1: when it
  # ends, everything the suite started ends too, and its mounts vanish with the namespace).
  unshare --mount --propagation private --pid --fork --mount-proc --kill-child=SIGKILL \
    -- bash "$self" --inner </dev/null &
  INNER_PID=$!
  local rc=0
  wait "$INNER_PID" || rc=$?
  INNER_PID=
  return "$rc"
}

main "$@"; exit "$?"
