#!/usr/bin/env bash
# One command: install dependencies, build with warnings as errors, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
BUILD_DIR=${BUILD_DIR:-build-ci} scripts/build.sh -DSKILLPIPE_WERROR=ON -DSKILLPIPE_BUILD_BENCH=ON
ctest --test-dir "${BUILD_DIR:-build-ci}" --output-on-failure -j "$(nproc)" --timeout 300
