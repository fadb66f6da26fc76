// harvest_claude - Claude Code transcripts (<home>/projects/**/*.jsonl) -> SessionDigests.
//
// The plugin only knows where Claude Code keeps its files and how to read one
// (claude_parser.cpp); cursors, filters, caps, threads and redaction come from the SDK's
// harvest machinery (skillpipe/kit/harvest.hpp).
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "claude_parser.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_claude\","
    "\"description\":\"Claude Code transcripts under <home>/projects (default home ~/.claude)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES
    "}}";

// Directories inside a project dir that hold no main-session transcripts.
bool accept_dir(std::string_view name, std::string_view) {
  return name != "subagents" && name != "tool-results" && name != "session-memory" && name != "memory" &&
         name != "workflows";
}

class ClaudeHarvester : public Harvester {
 public:
  void configure(const Config& config, Context& ctx) override {
    options_ = harvest::options_from_config(config, ctx, "~/.claude");
  }

  std::vector<SessionDigest> harvest(Context& ctx) override {
    std::string root = options_.home + "/projects";
    std::int64_t dir_errors = 0, subagent_files = 0;
    auto accept_file = [&](std::string_view name, std::string_view) {
      if (!ends_with(name, ".jsonl") && !ends_with(name, ".jsonl.zst")) return false;
      // Sub-agent transcripts: flat agent-*.jsonl (<= 2.1.1), not the user's session.
      if (starts_with(name, "agent-")) {
        ++subagent_files;
        return false;
      }
      return true;
    };
    std::vector<harvest::FileInfo> files = harvest::walk_files(root, accept_file, accept_dir, &dir_errors);
    if (files.empty() && !stat_dir(root))
      ctx.logger().warn("no Claude Code transcripts: {} does not exist", root);
    ctx.count("files_subagent", subagent_files);
    ctx.count("dirs_unreadable", dir_errors);
    return harvest::run_harvest(ctx, options_, std::move(files), claude::parse_claude_file);
  }

 private:
  static bool stat_dir(const std::string& p) {
    struct stat st{};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  harvest::Options options_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Claude Code transcripts (~/.claude/projects) -> session digests: prompts, finals, "
                 "tools, files, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::ClaudeHarvester); });
