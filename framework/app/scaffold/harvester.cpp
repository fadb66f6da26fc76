// The `skillpipe new-plugin --kind harvester` source: a minimal working harvester that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

const char* const kHarvesterSource = R"TPL(// @NAME@ - a skillpipe harvester: <home>/**/*.jsonl -> session digests.
//
// Replace parse_file() with your agent's transcript format. The example format has one JSON
// object per line: {"session": ID, "project": DIR, "time": ISO-8601, "role": "user" or
// "assistant", "text": ...}. run_harvest() (skillpipe/kit/harvest.hpp) does the rest: per-file
// cursors in the store, the lookback window, project scope, redaction, feedback signals.
#include <map>

#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"@NAME@\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES "}}";

// One file from the cursor's offset -> unredacted digests. Called from several threads.
harvest::FileResult parse_file(const harvest::FileJob& job, const harvest::Options& options) {
  harvest::FileResult r;
  harvest::LineReader reader(options.max_line_bytes);
  std::string err;
  if (!reader.open(job.file.path, job.file.zstd, job.offset, &err)) {
    r.error = err;
    return r;
  }
  if (reader.short_of_offset()) {  // the file shrank: the driver reads it afresh
    r.offset_beyond_end = true;
    return r;
  }
  std::map<std::string, SessionDigest> sessions;
  harvest::Line line;
  while (reader.next(line)) {
    if (!line.terminated) break;  // still being written: read it next time
    const harvest::JsonView v = harvest::JsonView::parse(line.text);
    if (!v.is_object()) {
      ++r.counts["bad_lines"];
      continue;
    }
    harvest::JsonView f[5];
    v.get({"session", "project", "time", "role", "text"}, f);
    if (!f[0].is_string() || !f[3].is_string() || !f[4].is_string()) {
      ++r.counts["records_unknown"];
      continue;
    }
    const auto ms = parse_iso8601_ms(f[2].is_string() ? f[2].str() : std::string());
    if (job.cutoff_ms > 0 && ms && *ms < job.cutoff_ms) continue;
    SessionDigest& d = sessions[f[0].str()];
    if (d.session_id.empty()) {
      d.session_id = f[0].str();
      d.source = "@NAME@";
      d.raw_path = job.file.path;
      if (ms) d.started_at = format_iso8601_s(*ms);
    }
    if (f[1].is_string()) d.project = f[1].str();
    if (ms) d.ended_at = format_iso8601_s(*ms);
    if (f[3].str_eq("user")) {
      d.user_prompts.push_back(f[4].str());
      ++d.n_user_turns;
    } else if (f[3].str_eq("assistant")) {
      d.assistant_finals.push_back(f[4].str());
      ++d.n_assistant_turns;
    }
  }
  if (!reader.read_error().empty()) {
    r.error = reader.read_error();
    return r;
  }
  for (auto& [id, d] : sessions) r.digests.push_back(std::move(d));
  r.end_offset = reader.end_offset();
  return r;
}

class @CAMEL@ : public Harvester {
 public:
  void configure(const Config& config, Context& ctx) override {
    options_ = harvest::options_from_config(config, ctx, "~/.@NAME@");
  }

  std::vector<SessionDigest> harvest(Context& ctx) override {
    auto accept = [](std::string_view name, std::string_view) { return ends_with(name, ".jsonl"); };
    std::vector<harvest::FileInfo> files = harvest::walk_files(options_.home, accept);
    return harvest::run_harvest(ctx, options_, std::move(files), parse_file);
  }

 private:
  harvest::Options options_;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "0.1.0", "@NAME@: JSONL transcripts -> session digests",
                 kSchemaJson, [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
