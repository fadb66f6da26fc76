#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/; Debian clang, ASan+UBSan) into build-fuzz/ and runs
# them, one after the other, on a corpus seeded from the test fixtures.
#   scripts/fuzz.sh                         every harness, 60 s each
#   scripts/fuzz.sh claude -runs=10000000   one harness (claude|codex|pipeline|rules|all),
#                                           any libFuzzer flags after it
# The corpus grows in build-fuzz/corpus/<harness>/; a crash, leak, timeout or UB report is
# written to build-fuzz/artifacts/<harness>/ and ends the script non-zero (reproduce it with
# build-fuzz/fuzz/fuzz_<harness> <artifact>).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-fuzz}
target=${1:-all}
[ $# -gt 0 ] && shift
flags=("$@")
((${#flags[@]})) || flags=(-max_total_time=60)
case "$target" in
  all) targets=(claude codex pipeline rules) ;;
  claude|codex|pipeline|rules) targets=("$target") ;;
  *) echo "scripts/fuzz.sh: unknown harness '$target' (expected claude, codex, pipeline, rules or all)" >&2; exit 2 ;;
esac
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

status=0
for t in "${targets[@]}"; do
  seed "$t"
  echo "== fuzz_$t ${flags[*]}"
  start=$(date +%s)
  # Harvester seeds are whole transcripts; 64 KiB keeps mutations fast while a seed still
  # holds many records.
  if ! "$BUILD_DIR/fuzz/fuzz_$t" -max_len=65536 -timeout=10 -print_final_stats=1 \
        -dict=fuzz/$t.dict -artifact_prefix="$BUILD_DIR/artifacts/$t/" "${flags[@]}" "$BUILD_DIR/corpus/$t"; then
    echo "fuzz_$t: FINDING in $BUILD_DIR/artifacts/$t/" >&2
    status=1
  fi
  echo "== fuzz_$t: $(( $(date +%s) - start )) s wall"
done
exit $status
