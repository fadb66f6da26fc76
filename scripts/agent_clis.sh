#!/usr/bin/env bash
# Installs the pinned agent CLIs (scripts/agent_versions.txt) with npm into a cache outside
# the repository and prints where their executables are:
#
#   scripts/agent_clis.sh               # prints SKILLPIPE_CLAUDE_BIN=... lines
#   eval "$(scripts/agent_clis.sh --print-env)"   # exports them into the calling shell
#   scripts/agent_clis.sh --check       # installs nothing; exit 1 when one is missing
#   scripts/agent_clis.sh --only codex  # just the CLIs whose bin name is given (repeatable)
#
# Each CLI lands in ${SKILLPIPE_AGENT_CACHE:-$HOME/.cache/skillpipe/agents}/<name>-<version>/.
# An install counts as complete only when its marker file exists, which is written after the
# executable has answered `--version` with the pinned version; a complete install is reused
# without touching npm, a partial one is removed and redone. Installs build in a temporary
# folder and are renamed into place, under a lock, so concurrent runs never see half a tree.
# Network: the npm registry only (and only when an install is missing); nothing is downloaded
# when the CLIs run later.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PINS="$ROOT/scripts/agent_versions.txt"
CACHE="${SKILLPIPE_AGENT_CACHE:-$HOME/.cache/skillpipe/agents}"
MARKER=".skillpipe-complete"

mode=print
only=()
while (($#)); do
  case "$1" in
    --print-env) mode=env ;;
    --check) mode=check ;;
    --only) shift; only+=("${1:?--only needs a bin name, e.g. claude}") ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "agent_clis.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

say() { echo "agent_clis.sh: $*" >&2; }

wanted() {
  ((${#only[@]} == 0)) && return 0
  local o
  for o in "${only[@]}"; do [[ "$o" == "$1" ]] && return 0; done
  return 1
}

# Runs the installed executable and checks it reports the pinned version.
version_ok() {  # <bin path> <version>
  local out home rc=0
  home="$(mktemp -d)"  # a scratch HOME: the check must not write into the user's
  out="$(HOME="$home" timeout 60 "$1" --version 2>/dev/null | head -n 1)" || rc=1
  rm -rf "$home"
  ((rc == 0)) && [[ "$out" == *"$2"* ]]
}

install_one() {  # <package> <version> <bin> <dest>
  local pkg="$1" ver="$2" bin="$3" dest="$4"
  command -v npm >/dev/null || { say "npm is not installed; install Node.js 20 and npm (Debian: apt-get install nodejs npm)"; return 1; }
  local tmp="$dest.partial.$$"
  rm -rf "$dest".partial.*  # left by a killed run (we hold the lock, so none is in progress)
  mkdir -p "$tmp"
  say "installing $pkg@$ver into $dest (npm, once)"
  # --include=optional: the native executables ship as optional per-platform packages;
  # the Claude Code postinstall copies its native binary into place, so scripts must run.
  if ! (cd "$tmp" && npm install --prefix "$tmp" --no-audit --no-fund --no-save --no-update-notifier \
          --prefer-offline --include=optional --loglevel=error "$pkg@$ver" >"$tmp/npm.log" 2>&1); then
    say "npm install $pkg@$ver failed; the end of its log ($tmp/npm.log):"
    tail -n 20 "$tmp/npm.log" >&2
    return 1
  fi
  if ! version_ok "$tmp/node_modules/.bin/$bin" "$ver"; then
    say "$pkg@$ver installed but '$bin --version' does not report $ver; is the platform package"
    say "missing (npm config omit=optional or ignore-scripts=true)? npm log: $tmp/npm.log"
    return 1
  fi
  echo "$pkg@$ver" >"$tmp/$MARKER"
  rm -rf "$dest"
  mv "$tmp" "$dest"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
failed=0
while read -r pkg ver bin var _; do
  [[ -z "${pkg:-}" || "$pkg" == \#* ]] && continue
  wanted "$bin" || continue
  dest="$CACHE/${pkg##*/}-$ver"
  exe="$dest/node_modules/.bin/$bin"
  if [[ ! -f "$dest/$MARKER" || ! -x "$exe" ]]; then
    if [[ "$mode" == check ]]; then
      say "$pkg@$ver is not installed in $dest (run scripts/agent_clis.sh)"
      failed=1
      continue
    fi
    [[ -e "$dest" ]] && say "removing the incomplete install in $dest"
    install_one "$pkg" "$ver" "$bin" "$dest" || { failed=1; continue; }
  fi
  case "$mode" in
    env) printf 'export %s=%q\n' "$var" "$exe" ;;
    *) printf '%s=%s\n' "$var" "$exe" ;;
  esac
done <"$PINS"
exit "$failed"
