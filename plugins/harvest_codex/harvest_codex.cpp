// harvest_codex - Codex rollouts (<home>/sessions/**, <home>/archived_sessions/**; plain
// .jsonl and the .jsonl.zst that Codex >= 0.137 compresses idle rollouts to) -> digests.
//
// Cursors are keyed by the rollout's file name, not its path, so a thread that Codex
// archives (moved to archived_sessions/) or compresses (.zst, new inode) is continued where
// the last run stopped instead of being harvested twice.
#include "codex_parser.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_codex\","
    "\"description\":\"Codex rollouts under <home>/sessions and <home>/archived_sessions (default home ~/.codex)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.codex")
    "}}";

class CodexHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "codex"; }
  std::string_view default_home() const override { return "~/.codex"; }

  harvest::Candidates find_files(Context& ctx) override {
    std::int64_t legacy_json = 0;
    auto accept = [&](std::string_view name, std::string_view) {
      if (ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst")) return true;
      if (ends_with(name, ".json") && starts_with(name, "rollout-")) ++legacy_json;  // TS CLI, 2025
      return false;
    };
    harvest::Candidates all;
    for (const char* sub : {"sessions", "archived_sessions"}) {
      harvest::Candidates found = walk(sub, accept);
      for (auto& f : found.files) {
        std::size_t slash = f.key.rfind('/');
        f.key = f.key.substr(slash == std::string::npos ? 0 : slash + 1);
        all.files.push_back(std::move(f));
      }
      for (auto& i : found.skipped) all.skipped.push_back(std::move(i));
      all.dirs_unreadable += found.dirs_unreadable;
    }
    ctx.count("files_unsupported_json", legacy_json);
    return all;
  }

  harvest::FileResult parse(const harvest::FileJob& job) const override {
    return harvest_codex::parse_codex_file(job, options());
  }
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.1.0",
                 "Codex rollouts (~/.codex/sessions, archived_sessions; .jsonl and .jsonl.zst) -> session "
                 "digests: prompts, finals, tools, commands, outcome, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::CodexHarvester); });
