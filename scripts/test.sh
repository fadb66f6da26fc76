#!/usr/bin/env bash
# One command: install dependencies, build with warnings as errors, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
# The pinned agent CLIs (cached outside the repo, so a second run reuses them); the tests in
# tests/agents run them against a loopback model server and must not be skipped in CI.
agent_env="$(scripts/agent_clis.sh --print-env)"  # a failed install stops here (set -e)
eval "$agent_env"
export SKILLPIPE_REQUIRE_AGENTS=1
export SKILLPIPE_REQUIRE_BWRAP=1  # deps.sh installs bubblewrap: the agentic tests run confined, never skipped
# ccache: the CI clones into a new directory each time; hashing paths relative to the clone lets
# it reuse the objects of the last run (the cache lives outside the repo, like the npm cache).
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
BUILD_DIR=${BUILD_DIR:-build-ci} scripts/build.sh -DSKILLPIPE_WERROR=ON -DSKILLPIPE_BUILD_BENCH=ON
ctest --test-dir "${BUILD_DIR:-build-ci}" --output-on-failure -j "$(nproc)" --timeout 300
# Then the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build
# (build-asan, -O1, no benchmarks; scripts/sanitize.sh): a memory error or undefined behaviour
# fails CI like a failed assertion. SKILLPIPE_SANITIZE_SUITE=0 skips it (a quick local run).
if [ "${SKILLPIPE_SANITIZE_SUITE:-1}" = 1 ]; then
  BUILD_DIR=build-asan scripts/sanitize.sh
fi
