#!/usr/bin/env bash
# Installs the Debian 12 packages skillpipe builds and tests with (skips what is present).
#   scripts/deps.sh          what the build and the test suite need (the ASan+UBSan suite too:
#                            GCC's sanitizer runtimes come with g++)
#   scripts/deps.sh --fuzz   also Debian's clang and its libFuzzer runtime (scripts/fuzz.sh)
set -euo pipefail
PKGS=(cmake ninja-build g++ pkg-config
      libboost1.74-dev libboost-program-options-dev libyaml-cpp-dev rapidjson-dev libspdlog-dev
      libgtest-dev libcurl4-openssl-dev libssl-dev libzstd-dev libcpp-httplib-dev libpcre2-dev libsqlite3-dev python3 zstd
      ccache     # scripts/build.sh: unchanged files are not recompiled by the next build or CI run
      chromium   # the report test renders the HTML report in a real headless browser
      bubblewrap)  # backend_agent's sandbox around agentic replays (Claude Code's permission
                   # modes cannot keep Bash inside the workspace); its tests run under it
if [ "${1:-}" = "--fuzz" ]; then
  PKGS+=(clang libclang-rt-dev)  # libFuzzer and the clang ASan/UBSan runtimes
elif [ $# -gt 0 ]; then
  echo "scripts/deps.sh: unknown argument '$1' (expected nothing or --fuzz)" >&2
  exit 2
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
