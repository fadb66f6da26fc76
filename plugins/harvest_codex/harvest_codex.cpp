// harvest_codex - Codex rollouts (<home>/sessions/**, <home>/archived_sessions/**; plain
// .jsonl and the .jsonl.zst that Codex >= 0.137 compresses idle rollouts to) -> digests.
//
// Cursors are keyed by the rollout's file name, not its path, so a thread that Codex
// archives (moved to archived_sessions/) or compresses (.zst, new inode) is continued where
// the last run stopped instead of being harvested twice.
#include <spdlog/spdlog.h>

#include "codex_parser.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_codex\","
    "\"description\":\"Codex rollouts under <home>/sessions and <home>/archived_sessions (default home ~/.codex)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES
    "}}";

class CodexHarvester : public Harvester {
 public:
  void configure(const Config& config, Context& ctx) override {
    options_ = harvest::options_from_config(config, ctx, "~/.codex");
  }

  std::vector<SessionDigest> harvest(Context& ctx) override {
    std::int64_t dir_errors = 0, legacy_json = 0;
    auto accept = [&](std::string_view name, std::string_view) {
      if (ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst")) return true;
      if (ends_with(name, ".json") && starts_with(name, "rollout-")) ++legacy_json;  // TS CLI, 2025
      return false;
    };
    std::vector<harvest::FileInfo> files;
    for (const char* sub : {"/sessions", "/archived_sessions"}) {
      auto found = harvest::walk_files(options_.home + sub, accept, {}, &dir_errors);
      for (auto& f : found) {
        std::size_t slash = f.key.rfind('/');
        f.key = f.key.substr(slash == std::string::npos ? 0 : slash + 1);
        files.push_back(std::move(f));
      }
    }
    if (files.empty()) ctx.logger().info("no Codex rollouts under {}", options_.home);
    ctx.count("files_unsupported_json", legacy_json);
    ctx.count("dirs_unreadable", dir_errors);
    return harvest::run_harvest(ctx, options_, std::move(files), codex::parse_codex_file);
  }

 private:
  harvest::Options options_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Codex rollouts (~/.codex/sessions, archived_sessions; .jsonl and .jsonl.zst) -> session "
                 "digests; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::CodexHarvester); });
