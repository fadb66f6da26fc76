#!/usr/bin/env bash
# One command: install dependencies, build, and run the nightly pipeline on this user's
# transcripts (~/.claude, ~/.codex), or on the bundled example transcripts when there are none.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh -DSKILLPIPE_BUILD_TESTS=OFF -DSKILLPIPE_BUILD_BENCH=OFF >/dev/null
args=(run pipelines/nightly.yaml "$@")
if [ ! -d "$HOME/.claude/projects" ] && [ ! -d "$HOME/.codex/sessions" ] && [ ! -d "$HOME/.codex/archived_sessions" ]; then
  echo "No Claude Code or Codex transcripts under ~/.claude or ~/.codex: using the bundled examples in examples/home." >&2
  args+=(--set "stages.claude.home=$PWD/examples/home/.claude" --set "stages.codex.home=$PWD/examples/home/.codex"
         --set stages.claude.lookback_hours=0 --set stages.codex.lookback_hours=0
         --set stages.claude.project_scope=all --set stages.codex.project_scope=all
         --set stages.claude.settle_minutes=0 --set stages.codex.settle_minutes=0
         --store "${SKILLPIPE_STORE:-$PWD/examples/store}" --project "$PWD/examples/project")
fi
exec build/bin/skillpipe "${args[@]}"
