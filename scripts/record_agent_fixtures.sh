#!/usr/bin/env bash
# Regenerate tests/data/agents/<agent>-<version>/ by running the pinned agent CLIs headless
# against a scripted model server on 127.0.0.1 (scripts/fixture_servers/).
#
#   scripts/record_agent_fixtures.sh                 # all agents
#   scripts/record_agent_fixtures.sh qwen-code pi    # some of them
#
# Needs: node >= 20 and npm (the CLIs install from the npm registry into
# $HOME/.cache/skillpipe/agents/<agent>-<version>/ on first use), python3 and git (the sqlite3 CLI is not
# needed: python's sqlite3 module is used). No network other than the npm registry (install)
# and 127.0.0.1 (recording). Not part of the test suite: run it by hand when a pin changes,
# then review the diff of tests/data/agents/ and docs/formats/.
# Cursor is not on npm and is not recorded here; its fixture is built by
# scripts/fixture_servers/build_cursor_fixture.py from the schema in docs/formats/cursor.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HOME}/.cache/skillpipe/agents"

# agent  npm-package  version   (keep in sync with scripts/fixture_servers/agents.py)
pins=(
  "qwen-code   @qwen-code/qwen-code           0.15.10"
  "gemini-cli  @google/gemini-cli             0.61.0"
  "opencode    opencode-ai                    1.18.33"
  "copilot-cli @github/copilot                1.0.102"
  "pi          @mariozechner/pi-coding-agent  0.73.1"
)

want=("$@")
selected=()
for line in "${pins[@]}"; do
  read -r name pkg ver <<<"$line"
  if [[ ${#want[@]} -eq 0 || " ${want[*]} " == *" $name "* ]]; then
    selected+=("$name")
    prefix="$cache/$name-$ver"
    if [[ ! -e "$prefix/node_modules/$pkg/package.json" ]]; then
      echo "installing $pkg@$ver into $prefix" >&2
      mkdir -p "$prefix"
      npm install --prefix "$prefix" --no-audit --no-fund "$pkg@$ver" >&2
    fi
    got="$(node -p "require('$prefix/node_modules/$pkg/package.json').version")"
    if [[ "$got" != "$ver" ]]; then
      echo "error: $prefix holds $pkg $got, expected $ver; remove the directory and rerun" >&2
      exit 1
    fi
  fi
done
if [[ ${#selected[@]} -eq 0 ]]; then
  echo "error: no agent matches '$*' (known: qwen-code gemini-cli opencode copilot-cli pi)" >&2
  exit 2
fi

python3 "$here/fixture_servers/record_fixtures.py" "${selected[@]}"
