// harvest_gemini - Gemini CLI chats (~/.gemini/tmp/<project hash>/chats/session-*.json[l])
// -> session digests. An out-of-tree plugin built only against the installed skillpipe SDK:
// the SDK's HarvesterBase and LineParser (skillpipe/kit/harvester.hpp) do the files, cursors,
// the lookback window, project scope, caps, redaction and feedback signals; this plugin only
// knows the file format (gemini_format.cpp).
#include "gemini_format.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_gemini\","
    "\"description\":\"Gemini CLI chats under <home>/tmp/<project hash>/chats (default home ~/.gemini)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.gemini")
    ","
    "\"max_document_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"description\":"
    "\"session .json documents larger than this are skipped (default 64 MiB)\"}}}";

class GeminiHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "gemini"; }
  std::string_view default_home() const override { return "~/.gemini"; }

  void configure_more(const Config& config, Context& ctx) override {
    max_document_bytes_ = static_cast<std::size_t>(config.get_int("max_document_bytes", 64ll << 20));
    // Gemini names project directories by hash only: index the ones this run may mean.
    std::vector<std::string> dirs = options().projects;
    if (!ctx.run().project.empty() && ctx.run().project != "all") dirs.push_back(ctx.run().project);
    projects_ = gemini::index_projects(dirs);
  }

  harvest::Candidates find_files(Context&) override {
    return walk("tmp", [](std::string_view name, std::string_view) {
      return starts_with(name, "session-") &&
             (ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst"));
    });
  }

  harvest::FileResult parse(const harvest::FileJob& job) const override {
    return gemini::parse_file(job, options(), projects_, max_document_bytes_);
  }

 private:
  gemini::ProjectIndex projects_;
  std::size_t max_document_bytes_ = 64u << 20;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "0.2.0",
                 "Gemini CLI chats (~/.gemini/tmp/*/chats/session-*.json and .jsonl) -> session digests", kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new GeminiHarvester); });
