#!/usr/bin/env bash
# Regenerates the README's screenshots from real runs, rendered by headless Chromium
# (Debian's `chromium`): docs/img/report.png is the night report of the proof experiment
# (`skillpipe experiment --persona researcher`, opened with `skillpipe report`), and
# docs/img/ab.png the page of the bundled judge A/B (`skillpipe ab ab_judge --html`).
#   scripts/screenshots.sh [build dir, default build]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/bin/skillpipe
[ -x "$bin" ] || { echo "no skillpipe at $bin: build first (scripts/build.sh)" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium is not installed (apt-get install chromium)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/docs/img"

shoot() {  # page png width height
  timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-extensions --disable-dev-shm-usage --user-data-dir="$work/profile" \
    --force-device-scale-factor=1 --window-size="$3,$4" --screenshot="$2" "file://$1" 2>/dev/null
  [ -s "$2" ] || { echo "chromium wrote no screenshot for $1" >&2; exit 1; }
  echo "wrote $2"
}

"$bin" experiment --persona researcher --store "$work/store" --json >"$work/experiment.json"
project=$(sed -n 's/^ *"project": "\(.*\)",\{0,1\}$/\1/p' "$work/experiment.json" | head -n 1)
page=$("$bin" report --store "$work/store" --project "$project")
shoot "$page" "$root/docs/img/report.png" 1100 2400

"$bin" ab ab_judge --store "$work/ab-store" --html "$work/ab.html" >/dev/null
shoot "$work/ab.html" "$root/docs/img/ab.png" 1100 1700
