#!/usr/bin/env bash
# Records the transcript fixtures in tests/data/cli/ by running the pinned Claude Code and
# Codex CLIs (scripts/agent_versions.txt) against the scripted model server on 127.0.0.1,
# one session per scenario in tests/data/cli/scenarios/scenarios.json.
#
#   scripts/record_cli_fixtures.sh                 # both CLIs
#   scripts/record_cli_fixtures.sh --only codex    # one of them (claude-code | codex)
#   scripts/record_cli_fixtures.sh --keep          # keep /tmp/skillpipe-fixture afterwards
#
# Everything runs under the fixed scratch folder /tmp/skillpipe-fixture (HOME, Claude's config,
# CODEX_HOME and a small git project with fixed commit dates, so its hashes never change) with
# a clean environment: no user file, key or setting can reach a recording, and the model is
# only ever the loopback server. Each scenario's outcome, commands and exit codes are checked
# against the CLI's own event stream before anything is written; a mismatch stops the
# recording. Outputs (see tests/data/cli/README.md): the agent homes
# tests/data/cli/claude-code-<version>/ and tests/data/cli/codex-<version>/, their event
# streams, a real request body per CLI, and tests/data/cli/expected.json.
# Needs: a build with build/bin/scripted_model_server (BUILD_DIR overrides), python3, npm.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
[[ "$BUILD_DIR" = /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
SERVER="$BUILD_DIR/bin/scripted_model_server"
if [[ ! -x "$SERVER" ]]; then
  echo "record_cli_fixtures.sh: $SERVER is missing; build it first:" >&2
  echo "  cmake --build $BUILD_DIR --target scripted_model_server" >&2
  exit 1
fi
agent_env="$("$ROOT/scripts/agent_clis.sh" --print-env)"
eval "$agent_env"
exec python3 "$ROOT/scripts/record_cli_fixtures.py" --server "$SERVER" \
  --claude "$SKILLPIPE_CLAUDE_BIN" --codex "$SKILLPIPE_CODEX_BIN" "$@"
