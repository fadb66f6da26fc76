// harvest_gemini - Gemini CLI chats (~/.gemini/tmp/<project hash>/chats/session-*.json[l])
// -> session digests. An out-of-tree plugin built only against the installed skillpipe SDK:
// the shared harvest machinery (skillpipe/kit/harvest.hpp) does cursors, the lookback window,
// project scope, redaction and feedback signals; this plugin only knows the file format.
#include <spdlog/spdlog.h>

#include "gemini_format.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_gemini\","
    "\"description\":\"Gemini CLI chats under <home>/tmp/<project hash>/chats (default home ~/.gemini)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES
    ","
    "\"max_document_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"description\":"
    "\"session .json documents larger than this are skipped (default 64 MiB)\"}}}";

class GeminiHarvester : public Harvester {
 public:
  void configure(const Config& config, Context& ctx) override {
    options_ = harvest::options_from_config(config, ctx, "~/.gemini");
    max_document_bytes_ = static_cast<std::size_t>(config.get_int("max_document_bytes", 64ll << 20));
    // Gemini names project directories by hash only: index the ones this run may mean.
    std::vector<std::string> dirs = options_.projects;
    for (const auto& p : config.get_string_list("projects")) dirs.push_back(expand_path(p));
    if (!ctx.run().project.empty() && ctx.run().project != "all") dirs.push_back(ctx.run().project);
    projects_ = gemini::index_projects(dirs);
  }

  std::vector<SessionDigest> harvest(Context& ctx) override {
    std::int64_t dir_errors = 0;
    auto accept = [](std::string_view name, std::string_view) {
      return starts_with(name, "session-") &&
             (ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst"));
    };
    std::vector<harvest::FileInfo> files = harvest::walk_files(options_.home + "/tmp", accept, {}, &dir_errors);
    if (files.empty()) ctx.logger().info("no Gemini CLI chats under {}/tmp", options_.home);
    ctx.count("dirs_unreadable", dir_errors);
    const auto& projects = projects_;
    const std::size_t max_bytes = max_document_bytes_;
    return harvest::run_harvest(ctx, options_, std::move(files),
                                [&projects, max_bytes](const harvest::FileJob& job, const harvest::Options& o) {
                                  return gemini::parse_file(job, o, projects, max_bytes);
                                });
  }

 private:
  harvest::Options options_;
  gemini::ProjectIndex projects_;
  std::size_t max_document_bytes_ = 64u << 20;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "0.1.0",
                 "Gemini CLI chats (~/.gemini/tmp/*/chats/session-*.json and .jsonl) -> session digests", kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new GeminiHarvester); });
