#!/usr/bin/env bash
# Configures and builds skillpipe with Ninja into build/ (BUILD_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# ccache (when installed; scripts/deps.sh installs it) keeps compiled objects outside the repo,
# so a rebuild after a small change, or the CI's clean clone of an unchanged file, costs a hash.
# SKILLPIPE_CCACHE=0 turns it off.
launcher=()
if [ "${SKILLPIPE_CCACHE:-1}" = 1 ] && command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DSKILLPIPE_ONLY= \
  "${launcher[@]}" "$@"
cmake --build "$BUILD_DIR" -j "$(nproc)"
