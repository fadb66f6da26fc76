// harvest_claude - Claude Code transcripts (<home>/projects/**/*.jsonl) -> SessionDigests.
//
// The plugin only knows where Claude Code keeps its files and how to read one
// (claude_parser.cpp); cursors, filters, caps, threads and redaction come from the SDK's
// harvest machinery (skillpipe/kit/harvester.hpp).
#include "claude_parser.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_claude\","
    "\"description\":\"Claude Code transcripts under <home>/projects (default home ~/.claude)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.claude")
    "}}";

// Directories inside a project dir that hold no main-session transcripts.
bool accept_dir(std::string_view name, std::string_view) {
  return name != "subagents" && name != "tool-results" && name != "session-memory" && name != "memory" &&
         name != "workflows";
}

class ClaudeHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "claude"; }
  std::string_view default_home() const override { return "~/.claude"; }

  harvest::Candidates find_files(Context& ctx) override {
    std::int64_t subagent_files = 0;
    auto accept_file = [&](std::string_view name, std::string_view) {
      if (!ends_with(name, ".jsonl") && !ends_with(name, ".jsonl.zst")) return false;
      // Sub-agent transcripts: flat agent-*.jsonl (<= 2.1.1), not the user's session.
      if (starts_with(name, "agent-")) {
        ++subagent_files;
        return false;
      }
      return true;
    };
    harvest::Candidates found = walk("projects", accept_file, accept_dir);
    ctx.count("files_subagent", subagent_files);
    return found;
  }

  harvest::FileResult parse(const harvest::FileJob& job) const override {
    return harvest_claude::parse_claude_file(job, options());
  }
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.1.0",
                 "Claude Code transcripts (~/.claude/projects) -> session digests: prompts, finals, "
                 "tools, commands, outcome, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::ClaudeHarvester); });
