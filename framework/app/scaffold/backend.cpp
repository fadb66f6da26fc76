// The `skillpipe new-plugin --kind backend` source: a minimal working backend that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

const char* const kBackendSource =
    R"TPL(// @NAME@ - a skillpipe backend that answers from a table: `answers` maps a task id to the
// response to give (inline, or a JSON object in `answers_file`), anything else gets
// `default_answer`. Deterministic and free, for tests and dry runs; replace complete() with
// a call to your model. Backends are called from several threads at once.
#include <map>

#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "answers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "task id -> response"},
    "answers_file": {"type": "string", "description": "JSON object file: task id -> response (relative to the pipeline)"},
    "default_answer": {"type": "string", "description": "response for any other task (default: empty)"}
  }
})JSON";

std::int64_t rough_tokens(std::string_view s) { return static_cast<std::int64_t>(s.size() / 4 + 1); }

class @CAMEL@ : public Backend {
 public:
  void configure(const Config& config, Context& ctx) override {
    if (config.has("answers_file")) {
      std::string path = expand_path(config.get_string("answers_file"));
      if (!path.empty() && path[0] != '/' && !ctx.run().pipeline_dir.empty()) path = ctx.run().pipeline_dir + "/" + path;
      auto text = read_file(path);
      if (!text) throw ConfigError("cannot read answers_file " + path, config.pointer() + "/answers_file");
      add(Config::parse(*text, config.pointer() + "/answers_file"));
    }
    add(config.get_object("answers"));
    default_answer_ = config.get_string("default_answer");
    std::string material = default_answer_;
    for (const auto& [k, v] : answers_) material += "\n" + k + "\n" + v;
    identity_ = "@NAME@:" + sha256_hex(material).substr(0, 12);
  }

  bool available(std::string* why) const override {
    if (why) why->clear();
    return true;
  }
  std::string identity() const override { return identity_; }

  ChatResponse complete(const ChatRequest& request, Context&) override {
    ChatResponse r;
    auto id = request.meta.find("task_id");
    auto it = id == request.meta.end() ? answers_.end() : answers_.find(id->second);
    r.text = it == answers_.end() ? default_answer_ : it->second;
    for (const auto& m : request.messages) r.usage.input += rough_tokens(m.content);
    r.usage.output = rough_tokens(r.text);
    r.model = "@NAME@";
    r.finish_reason = "stop";
    return r;
  }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    for (const auto& m : request.messages) e.tokens_in += rough_tokens(m.content);
    return e;
  }

 private:
  void add(const Config& c) {
    for (const auto& k : c.keys()) answers_[k] = c.get_string(k);
  }
  std::map<std::string, std::string> answers_;
  std::string default_answer_;
  std::string identity_ = "@NAME@";
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "0.1.0", "@NAME@: answers replays from a table (no model)",
                 kSchemaJson, [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
