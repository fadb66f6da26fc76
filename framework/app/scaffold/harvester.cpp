// The `skillpipe new-plugin --kind harvester` source: a minimal working harvester that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

const char* const kHarvesterSource = R"TPL(// @NAME@ - a skillpipe harvester: <home>/**/*.jsonl (one session per file) -> session digests.
//
// Replace on_record() with your agent's transcript format. The example format has one JSON
// object per line: {"session": ID, "project": DIR, "time": ISO-8601, "role": "user",
// "assistant" or "tool", "text": ..., "tool": NAME, "ok": true|false}. The SDK
// (skillpipe/kit/harvester.hpp, docs/harvesters.md) does the rest: the read loop, per-file
// cursors in the store, the hold-back of an unfinished turn, the lookback window, project
// scope, caps, outcome bookkeeping, feedback signals and redaction.
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;
using harvest::JsonView;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"@NAME@\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.@NAME@") "}}";

// One record (a JSON object line starting at byte `offset`) -> the session builder.
class @CAMEL@Parser final : public harvest::LineParser {
 public:
  using LineParser::LineParser;

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    JsonView f[7];
    rec.get({"session", "project", "time", "role", "text", "tool", "ok"}, f);
    harvest::SessionBuilder& s = session();
    if (f[0].is_string()) s.session_id(str(f[0]));
    if (f[1].is_string() && !s.project(str(f[1]))) return stop("out_of_scope");
    if (!s.at(time_ms(f[2]))) return;  // before the lookback window
    if (f[3].str_eq("user")) {
      s.prompt(str(f[4]), offset);
    } else if (f[3].str_eq("tool")) {
      s.tool_result(s.tool_call(str(f[5])), /*failed=*/!f[6].as_bool(true));
    } else if (f[3].str_eq("assistant")) {
      s.answer_text(str(f[4]));
      s.turn_finished();
    } else {
      count("unknown_records");
    }
  }
};

class @CAMEL@ final : public harvest::JsonlHarvester<@CAMEL@Parser> {
 protected:
  std::string_view source() const override { return "@NAME@"; }
  std::string_view default_home() const override { return "~/.@NAME@"; }
  harvest::Candidates find_files(Context&) override {
    return walk("", [](std::string_view name, std::string_view) { return ends_with(name, ".jsonl"); });
  }
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "0.1.0", "@NAME@: JSONL transcripts -> session digests",
                 kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

}  // namespace skillpipe::app::scaffold
