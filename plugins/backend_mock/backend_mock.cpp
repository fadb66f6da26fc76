// backend_mock - a deterministic backend with no network, for the proof experiment and tests.
//
// It answers the way SkillOpt-Sleep's MockBackend does (see mock_model.hpp), so a night run
// with it can be compared number for number with SkillOpt-Sleep's published experiment. It
// reads the task facts the evaluation service puts in ChatRequest::meta (tags, reference)
// and looks for rule texts in the documents (meta "documents", else the prompt itself).
// It must never be used on real data: it knows nothing but its rule table.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "mock_model.hpp"
#include "mock_rules.hpp"
#include "request_text.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "backend_mock",
  "description": "Deterministic SkillOpt-Sleep MockBackend semantics plus breaks:<key>. No network.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "rules_file": {"type": "string",
      "description": "JSON file with rule texts: a persona file with \"rule_text\", or a {key: text} object. Replaces the defaults."},
    "rules": {"type": "object", "additionalProperties": {"type": "string"},
      "description": "Rule texts by key, added to (or overriding) the defaults or the rules_file."},
    "default_edit_budget": {"type": "integer", "minimum": 0,
      "description": "Edits per reflection when the request does not say (default 4)."}
  }
})";

std::string meta_get(const ChatRequest& r, const char* key) {
  auto it = r.meta.find(key);
  return it == r.meta.end() ? std::string() : it->second;
}

class MockBackend final : public Backend {
 public:
  void configure(const Config& config, Context& ctx) override {
    rules_ = mock::rules_from_config(config, ctx.run().pipeline_dir);
    default_budget_ = static_cast<int>(config.get_int("default_edit_budget", 4));
    std::string material;
    for (const auto& [k, v] : rules_) material += k + "\n" + v + "\n";
    identity_ = "mock:" + sha256_hex(material).substr(0, 12);
  }

  bool available(std::string* why) const override {
    if (why) why->clear();
    return true;
  }
  std::string identity() const override { return identity_; }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    e.tokens_in = backends::estimate_prompt_tokens(request.messages);
    e.tokens_out = 0;
    return e;
  }

  ChatResponse complete(const ChatRequest& request, Context&) override {
    std::string purpose = request.purpose.empty() ? meta_get(request, "purpose") : request.purpose;
    std::string text;
    if (purpose.empty() || purpose == "replay") {
      text = mock::attempt(rules_, backends::split_list(meta_get(request, "tags")), meta_get(request, "reference"),
                           documents(request));
    } else if (purpose == "reflect") {
      text = reflect(request);
    } else if (purpose == "judge") {
      text = judge(request);
    } else {
      throw Error("backend_mock answers replay, reflect and judge requests; it has no model of '" + purpose +
                  "' (use a real backend for mining and drafting)");
    }
    ChatResponse r;
    r.text = std::move(text);
    r.usage.input = backends::estimate_prompt_tokens(request.messages);
    r.usage.output = backends::estimate_tokens(r.text);
    r.model = "mock";
    r.finish_reason = "stop";
    return r;
  }

 private:
  // Where rule texts are looked for: the documents the service names, else the whole prompt
  // (which embeds the skill and memory).
  static std::string documents(const ChatRequest& request) {
    auto it = request.meta.find("documents");
    if (it != request.meta.end()) return it->second;
    std::string all;
    for (const auto& m : request.messages) all += m.content + "\n";
    return all;
  }

  std::string reflect(const ChatRequest& request) const {
    auto tags = request.meta.find("failed_tags");
    if (tags == request.meta.end()) {
      throw Error("backend_mock: a reflect request needs meta \"failed_tags\" (the failed tasks' tags); "
                  "the evaluation service sets it");
    }
    int budget = default_budget_;
    std::string b = meta_get(request, "edit_budget");
    if (!b.empty()) {
      char* end = nullptr;
      long v = std::strtol(b.c_str(), &end, 10);
      if (!end || *end != '\0') throw Error("backend_mock: meta \"edit_budget\" is not an integer: '" + b + "'");
      budget = static_cast<int>(v);
    }
    std::string target = meta_get(request, "target");
    if (target.empty()) target = "skill";
    if (target != "skill" && target != "memory") {
      throw Error("backend_mock: meta \"target\" must be skill or memory, not '" + target + "'");
    }
    auto edits = mock::reflect(rules_, backends::split_list(tags->second), documents(request), budget);
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("edits");
    w.StartArray();
    for (const auto& e : edits) {
      std::string rationale = "a failed task requires rule '" + e.key + "'";
      w.StartObject();
      w.Key("target");
      w.String(target);
      w.Key("op");
      w.String("add");
      w.Key("content");
      w.String(e.content);
      w.Key("rationale");
      w.String(rationale);
      w.Key("kind");
      w.String("skill_defect");
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return sb.GetString();
  }

  // SkillOpt's mock rubric judge: keyword overlap with the rubric; the judge plugin turns
  // the score into hard = score >= 0.8.
  static std::string judge(const ChatRequest& request) {
    auto response = request.meta.find("response");
    std::string rubric = meta_get(request, "reference");
    if (response == request.meta.end() || rubric.empty()) {
      throw Error("backend_mock: a judge request needs meta \"response\" and \"reference\" (the rubric)");
    }
    double score = mock::keyword_soft_score(rubric, response->second);
    char reason[64];
    std::snprintf(reason, sizeof reason, "rubric keyword soft=%.2f", score);
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("score");
    w.Double(score);
    w.Key("reason");
    w.String(reason);
    w.EndObject();
    return sb.GetString();
  }

  mock::RuleTexts rules_ = mock::default_rules();
  int default_budget_ = 4;
  std::string identity_ = "mock";
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Deterministic mock (SkillOpt-Sleep MockBackend semantics + breaks:<key>); no network",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::MockBackend); });
