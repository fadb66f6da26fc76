#!/usr/bin/env bash
# The first night's peak memory on a generated corpus: the bundled `nightly` pipeline, offline
# (no LLM configured), with no session cap, no lookback window and every project, so every
# session of the corpus is harvested, mined and drafted from. Prints the peak RSS and wall time
# of each run (GNU time) and the sessions harvested.
#
#   python3 ../shared/bench/gen_corpus.py --out /tmp/corpus1g --mb 1024 --seed 1
#   bench/first_night.sh /tmp/corpus1g [--build build] [--runs 3]
#
# The corpus holds claude/projects/ and codex/sessions/ (gen_corpus.py's layout). Each run uses
# a fresh HOME and store under a temporary directory, so no cursor makes a later run cheaper.
set -euo pipefail
corpus=${1:?usage: bench/first_night.sh CORPUS [--build DIR] [--runs N]}
shift
build=build runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/$build/bin/skillpipe
[ -x "$bin" ] || { echo "no $bin: build first (cmake --build $build)" >&2; exit 2; }
[ -d "$corpus/claude" ] && [ -d "$corpus/codex" ] || { echo "$corpus has no claude/ and codex/ (gen_corpus.py)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
sets=()
for a in claude codex; do
  sets+=(--set "stages.$a.config.home=$corpus/$a" --set "stages.$a.config.max_sessions=0"
         --set "stages.$a.config.lookback_hours=0" --set "stages.$a.config.project_scope=all")
done
for i in $(seq "$runs"); do
  t=$(mktemp -d)
  mkdir -p "$t/home" "$t/project"
  (cd "$t/project" && env -u ANTHROPIC_API_KEY -u OPENAI_API_KEY -u OPENAI_BASE_URL HOME="$t/home" SKILLPIPE_STORE="$t/store" \
    /usr/bin/time -f "%M %e" -o "$t/time" "$bin" run nightly "${sets[@]}" >"$t/out" 2>&1) ||
    { echo "run $i failed:" >&2; tail -20 "$t/out" >&2; exit 1; }
  read -r kb secs <"$t/time"
  sessions=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["report"]["counts"]["sessions"])' \
    "$t"/store/projects/*/nights/*/summary.json 2>/dev/null || echo "?")
  printf 'run %d: peak RSS %.1f MiB, %s s wall, %s sessions\n' "$i" "$(echo "$kb / 1024" | bc -l)" "$secs" "${sessions:-?}"
  rm -rf "$t"
done
