#!/usr/bin/env bash
# Configures and builds skillpipe with Ninja into build/ (BUILD_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DSKILLPIPE_ONLY= "$@"
cmake --build "$BUILD_DIR" -j "$(nproc)"
