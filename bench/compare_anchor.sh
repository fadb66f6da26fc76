#!/usr/bin/env bash
# compare_anchor.sh - skillpipe against the Python anchor (SkillOpt-Sleep), side by side.
#
#   bench/compare_anchor.sh ANCHOR_DIR [--build DIR] [--corpus DIR] [--mb 1024] [--runs 3]
#                                      [--only harvest|experiment]
#
# ANCHOR_DIR is a checkout of the public anchor repository:
#   git clone https://github.com/microsoft/SkillOpt /tmp/SkillOpt
# (it holds skillopt_sleep/; pure Python 3 stdlib, nothing to install).
#
# The machine may be shared, so absolute times mean little: each round runs both sides back
# to back (alternating which goes first) and prints their ratio; the summary is the median
# ratio over the rounds, with the load average before and after.
#   harvest     skillpipe's harvest_claude + harvest_codex plugins (harvest_bench, 2 threads)
#               vs the anchor's Claude and Codex harvesters, same files, page cache warm.
#               Time is the harvest itself (no process start-up) on both sides.
#   experiment  `skillpipe experiment --persona researcher` (4 nights, real file store with
#               fsync) vs `python -m skillopt_sleep.experiments.run_experiment` (4 nights):
#               whole-process wall time.
# The corpus is made by ../shared/bench/gen_corpus.py --seed 1 (set GEN_CORPUS to its path
# when the shared folder is elsewhere) unless --corpus names an existing one.
set -euo pipefail

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 ]] || usage
ANCHOR=$1; shift
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$REPO/build
CORPUS=""
MB=1024
RUNS=3
ONLY=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --corpus) CORPUS=$2; shift 2 ;;
    --mb) MB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "compare_anchor.sh: unknown option $1" >&2; usage ;;
  esac
done
if [[ ! -f $ANCHOR/skillopt_sleep/harvest.py ]]; then
  echo "compare_anchor.sh: $ANCHOR is not a SkillOpt checkout (no skillopt_sleep/harvest.py)." >&2
  echo "  get it with: git clone https://github.com/microsoft/SkillOpt $ANCHOR" >&2
  exit 2
fi
ANCHOR=$(cd "$ANCHOR" && pwd)
for bin in skillpipe harvest_bench; do
  if [[ ! -x $BUILD/bin/$bin ]]; then
    echo "compare_anchor.sh: $BUILD/bin/$bin is missing: configure a Release build with" >&2
    echo "  -DSKILLPIPE_BUILD_BENCH=ON and build it, or name the build with --build DIR" >&2
    exit 2
  fi
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/compare_anchor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
# Seconds from $1 to $2. The end time is taken before this runs: Python's own start-up (about
# 0.3 s here) must not count as the measured program's time.
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}')" "$1" "$2"; }
median() { python3 -c "import statistics, sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
field() { python3 -c "import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

harvest_round() {  # prints "anchor_s skillpipe_s" and the detail to stderr
  local first=$1 sp an
  if [[ $first == anchor ]]; then
    an=$(python3 "$REPO/bench/anchor/anchor_harvest.py" "$ANCHOR" "$CORPUS")
    sp=$("$BUILD/bin/harvest_bench" --corpus "$CORPUS" --threads 2 --reharvest-runs 0 | tail -1)
  else
    sp=$("$BUILD/bin/harvest_bench" --corpus "$CORPUS" --threads 2 --reharvest-runs 0 | tail -1)
    an=$(python3 "$REPO/bench/anchor/anchor_harvest.py" "$ANCHOR" "$CORPUS")
  fi
  echo "    anchor    $an" >&2
  echo "    skillpipe $sp" >&2
  echo "$(field "$an" seconds) $(field "$sp" cold_s) $(field "$an" cpu_s) $(field "$sp" cold_cpu_s)"
}

compare_harvest() {
  if [[ -z $CORPUS ]]; then
    local gen=${GEN_CORPUS:-$REPO/../shared/bench/gen_corpus.py}
    [[ -f $gen ]] || { echo "compare_anchor.sh: no corpus: pass --corpus DIR or set GEN_CORPUS" >&2; exit 2; }
    CORPUS=$WORK/corpus
    python3 "$gen" --out "$CORPUS" --mb "$MB" --seed 1 >/dev/null
  fi
  find "$CORPUS" -type f -name '*.jsonl' -exec cat {} + >/dev/null  # both sides read from the page cache
  echo "harvest: corpus $CORPUS ($(du -sm "$CORPUS" | cut -f1) MB), load before: $(load)"
  local ratios=() cpu_ratios=() i first
  for ((i = 1; i <= RUNS; i++)); do
    first=$([[ $((i % 2)) == 1 ]] && echo skillpipe || echo anchor)
    read -r an sp an_cpu sp_cpu < <(harvest_round "$first")
    ratios+=("$(ratio "$an" "$sp")")
    cpu_ratios+=("$(ratio "$an_cpu" "$sp_cpu")")
    echo "  round $i ($first first): anchor ${an}s (cpu ${an_cpu}s), skillpipe ${sp}s (cpu ${sp_cpu}s)" \
      "-> skillpipe ${ratios[-1]}x faster in wall time, ${cpu_ratios[-1]}x less cpu"
  done
  echo "harvest: median skillpipe/anchor speed-up $(median "${ratios[@]}")x wall, $(median "${cpu_ratios[@]}")x cpu" \
    "over $RUNS paired rounds; load after: $(load)"
  echo "  (with the load above the number of cores, wall time measures the scheduler; cpu time still compares the work)"
}

experiment_round() {  # prints "anchor_s skillpipe_s"
  local first=$1 t0 an sp
  local store=$WORK/store-$RANDOM
  run_anchor() {
    t0=$(now)
    (cd "$ANCHOR" && HOME=$WORK/home python3 -m skillopt_sleep.experiments.run_experiment --persona researcher \
      --nights 4 >"$WORK/anchor.out" 2>&1) || { cat "$WORK/anchor.out" >&2; exit 1; }
    an=$(elapsed "$t0" "$(now)")
  }
  run_skillpipe() {
    t0=$(now)
    "$BUILD/bin/skillpipe" experiment --persona researcher --nights 4 --store "$store" >"$WORK/sp.out" 2>&1 ||
      { cat "$WORK/sp.out" >&2; exit 1; }
    sp=$(elapsed "$t0" "$(now)")
  }
  if [[ $first == anchor ]]; then run_anchor; run_skillpipe; else run_skillpipe; run_anchor; fi
  rm -rf "$store"
  echo "$an $sp"
}

compare_experiment() {
  mkdir -p "$WORK/home"
  echo "experiment: researcher persona, 4 nights, load before: $(load)"
  local ratios=() i first
  for ((i = 1; i <= RUNS; i++)); do
    first=$([[ $((i % 2)) == 1 ]] && echo skillpipe || echo anchor)
    read -r an sp < <(experiment_round "$first")
    ratios+=("$(ratio "$an" "$sp")")
    echo "  round $i ($first first): anchor ${an}s, skillpipe ${sp}s -> skillpipe ${ratios[-1]}x faster"
  done
  echo "experiment: median skillpipe/anchor speed-up $(median "${ratios[@]}")x over $RUNS paired rounds (>1: skillpipe faster); load after: $(load)"
}

[[ $ONLY == experiment ]] || compare_harvest
[[ $ONLY == harvest ]] || compare_experiment
