#!/usr/bin/env bash
# One command: install dependencies, build, and run the nightly pipeline for the directory
# you run it from, on your transcripts (~/.claude, ~/.codex, and the other agents the nightly
# pipeline harvests: ~/.qwen, ~/.gemini, OpenCode's and Cursor's databases, ~/.copilot, ~/.pi)
# - or on the bundled example transcripts when there are none (no transcript file at all; an
# empty ~/.claude/projects counts as none).
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
repo=$PWD
scripts/deps.sh
scripts/build.sh -DSKILLPIPE_BUILD_TESTS=OFF -DSKILLPIPE_BUILD_BENCH=OFF >/dev/null

# True when DIR holds at least one transcript (*.jsonl) anywhere below it.
has_transcripts() { [ -d "$1" ] && [ -n "$(find "$1" -type f -name '*.jsonl' -print -quit 2>/dev/null)" ]; }

claude_home=$HOME/.claude  # where harvest_claude and harvest_codex look by default
codex_home=$HOME/.codex
# The other harvesters' default folders (pipelines/nightly.yaml reads them all).
other_agents() {
  has_transcripts "$HOME/.qwen/projects" || has_transcripts "$HOME/.gemini/tmp" ||
    has_transcripts "$HOME/.copilot/session-state" || has_transcripts "$HOME/.pi/agent/sessions" ||
    has_transcripts "$HOME/.cursor/projects" || [ -f "${XDG_DATA_HOME:-$HOME/.local/share}/opencode/opencode.db" ] ||
    [ -f "$HOME/.config/Cursor/User/globalStorage/state.vscdb" ]
}
args=(run nightly "$@")
if has_transcripts "$claude_home/projects" || has_transcripts "$codex_home/sessions" ||
   has_transcripts "$codex_home/archived_sessions" || other_agents; then
  args+=(--project "$caller")
else
  echo "No agent transcripts (Claude Code under $claude_home/projects, Codex under $codex_home, nor any other agent):" \
       "using the bundled examples in examples/home (staged into examples/store)." >&2
  args+=(--set "stages.claude.home=$repo/examples/home/.claude" --set "stages.codex.home=$repo/examples/home/.codex"
         --set stages.claude.lookback_hours=0 --set stages.codex.lookback_hours=0
         --set stages.claude.project_scope=all --set stages.codex.project_scope=all
         --set stages.claude.settle_minutes=0 --set stages.codex.settle_minutes=0
         --store "${SKILLPIPE_STORE:-$repo/examples/store}" --project "$repo/examples/project")
fi
cd "$caller"
exec "$repo/build/bin/skillpipe" "${args[@]}"
