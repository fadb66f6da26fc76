#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/; Debian clang, ASan+UBSan) into build-fuzz/ and runs
# them, one after the other, on a corpus seeded from the test fixtures.
#   scripts/fuzz.sh                         every harness, 60 s each
#   scripts/fuzz.sh claude -runs=10000000   one harness (claude|codex|pipeline|rules|all),
#                                           any libFuzzer flags after it
#   scripts/fuzz.sh campaign codex 10000000 [flags]   1M-execution chunks until the ledger holds
#                                           10M clean executions of codex's current sources
#   scripts/fuzz.sh ledger                  clean executions and wall time per harness
# Every run appends to the ledger fuzz/campaign.tsv (time, harness, source id, executions,
# seconds, result). The source id hashes the files compiled into that harness, so executions
# count only while those files stay as they were; runs over uncommitted changes count nothing.
# The ledger is committed with the sources: a campaign outlives the build directory and the
# machine, and the README's totals can be checked against it.
# The corpus grows in build-fuzz/corpus/<harness>/; a crash, leak, timeout or UB report is
# written to build-fuzz/artifacts/<harness>/ and ends the script non-zero (reproduce it with
# build-fuzz/fuzz/fuzz_<harness> <artifact>).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
ledger=fuzz/campaign.tsv
harness_sources() {  # what is compiled into each harness (fuzz/CMakeLists.txt)
  local common="fuzz/fuzz_$1.cpp fuzz/fuzz_file.hpp framework/include framework/internal framework/src/kit framework/src/sdk"
  case "$1" in
    claude) echo "$common plugins/harvest_claude" ;;
    codex) echo "$common plugins/harvest_codex" ;;
    pipeline) echo "$common framework/src/host/pipeline_spec.cpp framework/src/host/pipeline_spec.hpp
      framework/src/host/pipeline_overrides.cpp framework/src/host/yaml_load.cpp framework/src/host/yaml_load.hpp" ;;
    rules) echo "$common" ;;
  esac
}
source_id() {  # the committed sources' hash, or "dirty" while any of them has local changes
  # shellcheck disable=SC2046
  if [ -n "$(git status --porcelain -- $(harness_sources "$1"))" ]; then echo dirty; return; fi
  # shellcheck disable=SC2046
  git ls-files -s -- $(harness_sources "$1") | sha256sum | cut -c1-12
}
clean_execs() {  # executions without a finding logged for this harness at its current sources
  local id; id=$(source_id "$1")
  awk -F'\t' -v h="$1" -v id="$id" '$2 == h && $3 == id && $6 == "clean" {n += $4} END {print n + 0}' "$ledger" 2>/dev/null || echo 0
}
if [ "${1:-}" = ledger ]; then
  [ -f "$ledger" ] || { echo "no fuzzing recorded yet ($ledger)"; exit 0; }
  for h in claude codex pipeline rules; do
    id=$(source_id "$h")
    awk -F'\t' -v h="$h" -v id="$id" '$2 == h && $3 == id {n += $4; s += $5; if ($6 != "clean") f++}
      END {printf "%-8s sources %s: %d executions in %d s of fuzzing, %d finding(s)\n", h, id, n, s, f}' "$ledger"
  done
  exit 0
fi
campaign_total=0
if [ "${1:-}" = campaign ]; then
  [ $# -ge 3 ] || { echo "usage: scripts/fuzz.sh campaign <harness> <executions> [libFuzzer flags]" >&2; exit 2; }
  campaign_total=$3
  set -- "$2" "${@:4}"
fi
target=${1:-all}
[ $# -gt 0 ] && shift
flags=("$@")
((${#flags[@]})) || flags=(-max_total_time=60)
case "$target" in
  all) targets=(claude codex pipeline rules) ;;
  claude|codex|pipeline|rules) targets=("$target") ;;
  *) echo "scripts/fuzz.sh: unknown harness '$target' (expected claude, codex, pipeline, rules or all)" >&2; exit 2 ;;
esac
if [ "$campaign_total" != 0 ]; then
  [ "$target" != all ] || { echo "scripts/fuzz.sh campaign: name one harness" >&2; exit 2; }
  [ "$(source_id "$target")" != dirty ] || { echo "scripts/fuzz.sh campaign: commit the $target harness's sources first; runs over local changes count nothing" >&2; exit 2; }
  flags=(-runs=1000000 "${flags[@]}")
fi
scripts/deps.sh --fuzz  # clang and libFuzzer from Debian (skips what is present)

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g" -DSKILLPIPE_FUZZ=ON -DSKILLPIPE_BUILD_TESTS=OFF \
  -DSKILLPIPE_BUILD_BENCH=OFF -DSKILLPIPE_ONLY=none >/dev/null
cmake --build "$BUILD_DIR" --target fuzzers -j "$(nproc)"

# Seeds: the fixtures each parser reads in the tests (copied, so the corpus can grow).
seed() {
  local name=$1 dir="$BUILD_DIR/corpus/$1"
  mkdir -p "$dir" "$BUILD_DIR/artifacts/$name"
  case "$name" in
    claude) find tests/data -path '*claude*' -name '*.jsonl' -print0 ;;
    codex) find tests/data -path '*codex*' \( -name '*.jsonl' -o -name '*.jsonl.zst' \) -print0 ;;
    pipeline) find pipelines tests/data examples -name '*.yaml' -print0 ;;
    rules) find fuzz/seeds/rules -type f -print0 ;;
  esac | xargs -0 -I{} sh -c 'cp "$1" "$2/seed-$(sha256sum < "$1" | cut -c1-16)"' _ {} "$dir"
  if [ "$name" = rules ]; then  # a task line followed by each of its replays, as judge_rule sees them
    python3 fuzz/pair_rule_seeds.py "$dir" tests/data/judges/tasks.jsonl tests/data/judges/responses.jsonl \
      tests/data/ab/tasks.jsonl tests/data/judges/bad_spec_tasks.jsonl
  fi
}

# The harnesses load the shared ASan runtime (the instrumented libskillpipe*.so need its
# symbols); libFuzzer's link puts libstdc++ before it in the executable's DT_NEEDED list, which
# ASan's start-up check refuses. The runtime still precedes libc in symbol lookup, so malloc and
# the other interceptors are ASan's: the check is turned off, not the sanitizer.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

# One libFuzzer run of harness $1, logged to the ledger; non-zero on a finding.
run_harness() {
  local t=$1 start out rc execs
  echo "== fuzz_$t ${flags[*]}"
  start=$(date +%s)
  out=$BUILD_DIR/last_$t.$$.log  # per process: two campaigns of one harness (one per core) must not share it
  # Harvester seeds are whole transcripts; 64 KiB keeps mutations fast while a seed still
  # holds many records.
  rc=0
  "$BUILD_DIR/fuzz/fuzz_$t" -max_len=65536 -timeout=10 -print_final_stats=1 \
    -dict=fuzz/$t.dict -artifact_prefix="$BUILD_DIR/artifacts/$t/" "${flags[@]}" "$BUILD_DIR/corpus/$t" \
    >"$out" 2>&1 || rc=$?
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::|==[0-9]+==ERROR|SUMMARY|artifact_prefix)' "$out" || true
  execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$out" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$(source_id "$t")" "${execs:-0}" \
    "$(( $(date +%s) - start ))" "$([ "$rc" = 0 ] && echo clean || echo "finding:rc=$rc")" >> "$ledger"
  echo "== fuzz_$t: $(( $(date +%s) - start )) s wall, ${execs:-?} executions (full log: $out)"
  if [ "$rc" != 0 ]; then
    echo "fuzz_$t: FINDING in $BUILD_DIR/artifacts/$t/" >&2
    return 1
  fi
}

status=0
for t in "${targets[@]}"; do
  seed "$t"
  if [ "$campaign_total" = 0 ]; then
    run_harness "$t" || status=1
    continue
  fi
  while [ "$(clean_execs "$t")" -lt "$campaign_total" ]; do
    run_harness "$t" || { status=1; break; }
    echo "== campaign fuzz_$t: $(clean_execs "$t") of $campaign_total clean executions at these sources"
  done
done
exit $status
