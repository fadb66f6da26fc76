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
    "rules_file": {"default": null, "type": "string",
      "description": "JSON file with rule texts: a persona file with \"rule_text\", or a {key: text} object. Replaces the defaults."},
    "rules": {"default": {}, "type": "object", "additionalProperties": {"type": "string"},
      "description": "Rule texts by key, added to (or overriding) the defaults or the rules_file."},
    "default_edit_budget": {"type": "integer", "minimum": 0,
      "description": "Edits per reflection when the request does not say (default 4)."},
    "flip_rate": {"type": "number", "minimum": 0, "maximum": 0.5,
      "description": "Noise for gate simulations: each replay's outcome (solved or not) flips with this probability, drawn afresh per night, task, sample and documents - what a real backend's response cache keys, so the same documents replayed twice in a night get the same answers, as they would (default 0)."},
    "noise_seed": {"type": "integer", "minimum": 0, "description": "Seed of the flips (default 1)."},
    "reflect": {"enum": ["rules", "fresh_rules", "noop"],
      "description": "rules: propose the rules failed tasks need (SkillOpt's); fresh_rules: the same, skipping edits the prompt lists as rejected before (meta rejected), as a real optimizer is told to; noop: propose one new rule that changes no outcome (a pure-noise optimizer for gate simulations) (default rules)."}
  }
})";

std::string meta_get(const ChatRequest& r, const char* key) {
  auto it = r.meta.find(key);
  return it == r.meta.end() ? std::string() : it->second;
}

class MockBackend final : public Backend {
 public:
  void configure(const Config& config, Context& ctx) override {
    rules_ = backend_mock::rules_from_config(config, ctx.run().pipeline_dir);
    default_budget_ = static_cast<int>(config.get_int("default_edit_budget", 4));
    flip_rate_ = config.get_double("flip_rate", 0.0);
    noise_seed_ = static_cast<std::uint64_t>(config.get_int("noise_seed", 1));
    const std::string mode = config.get_string("reflect", "rules");
    noop_ = mode == "noop";
    fresh_ = mode == "fresh_rules";
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
    e.tokens_in = backend_common::estimate_prompt_tokens(request.messages);
    e.tokens_out = 0;
    return e;
  }

  ChatResponse complete(const ChatRequest& request, Context&) override {
    std::string purpose = request.purpose.empty() ? meta_get(request, "purpose") : request.purpose;
    std::string text;
    if (purpose.empty() || purpose == "replay") {
      text = replay(request);
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
    r.usage.input = backend_common::estimate_prompt_tokens(request.messages);
    r.usage.output = backend_common::estimate_tokens(r.text);
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

  // The deterministic answer, flipped (solved <-> unsolved) with probability flip_rate. The
  // flip is a hash of everything that makes a replay a fresh draw, so a night is reproducible
  // and baseline and candidate get independent noise.
  std::string replay(const ChatRequest& request) const {
    const auto tags = backend_common::split_list(meta_get(request, "tags"));
    const std::string ref = meta_get(request, "reference"), docs = documents(request);
    std::string text = backend_mock::attempt(rules_, tags, ref, docs);
    if (flip_rate_ <= 0) return text;
    // The draw is the night id, "<number>-<start time>"; only its number goes into the hash, so
    // a seeded simulation gives the same flips whenever it runs (the time made it vary).
    const std::string draw = meta_get(request, "draw");
    // No variant: a real backend's response cache keys the request (night, sample, documents,
    // task), not its label, so replaying the same documents again in one night (the final
    // replay of the last kept trial) gets the same answers there; the simulation must too.
    const std::string h = sha256_hex(std::to_string(noise_seed_) + "\n" + draw.substr(0, draw.find('-')) + "\n" +
                                     meta_get(request, "task_id") + "\n" + std::to_string(request.sample) + "\n" +
                                     docs);
    const double u = static_cast<double>(std::stoull(h.substr(0, 13), nullptr, 16)) / static_cast<double>(1ULL << 52);
    if (u >= flip_rate_) return text;
    std::vector<std::string> needs;  // the rule tags alone: a flip ignores what breaks the task
    for (const auto& t : tags)
      if (t.rfind("rule:", 0) == 0) needs.push_back(t);
    const std::string solved = backend_mock::attempt(rules_, needs, ref, all_rule_texts(needs));
    return text == solved ? backend_mock::attempt(rules_, needs, ref, "") : solved;
  }

  // The texts of every rule the tags require (what would make the task solved).
  std::string all_rule_texts(const std::vector<std::string>& tags) const {
    std::string out;
    for (const auto& k : backend_mock::required_rules(rules_, tags)) out += rules_.at(k) + "\n";
    return out;
  }

  // The noise optimizer: one rule no task needs, new each time (numbered past the last one).
  std::string noop_reflect(const ChatRequest& request) const {
    const std::string docs = documents(request);
    int n = 1;
    while (docs.find("Noise note " + std::to_string(n) + ".") != std::string::npos) ++n;
    return "{\"edits\":[{\"target\":\"" + (meta_get(request, "target").empty() ? std::string("skill") : meta_get(request, "target")) +
           "\",\"op\":\"add\",\"content\":\"Noise note " + std::to_string(n) +
           ". Keep answers as they are.\",\"rationale\":\"no-op\",\"kind\":\"skill_defect\"}]}";
  }

  std::string reflect(const ChatRequest& request) const {
    if (noop_) return noop_reflect(request);
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
    // fresh_rules: an edit rejected before counts as present, so it is not proposed again.
    const std::string seen = fresh_ ? documents(request) + "\n" + meta_get(request, "rejected") : documents(request);
    auto edits = backend_mock::reflect(rules_, backend_common::split_list(tags->second), seen, budget);
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
    double score = backend_mock::keyword_soft_score(rubric, response->second);
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

  backend_mock::RuleTexts rules_ = backend_mock::default_rules();
  int default_budget_ = 4;
  double flip_rate_ = 0;
  std::uint64_t noise_seed_ = 1;
  bool noop_ = false;
  bool fresh_ = false;
  std::string identity_ = "mock";
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Deterministic mock (SkillOpt-Sleep MockBackend semantics + breaks:<key>); no network",
                 skillpipe::kSchemaJson,
                 [] { return std::make_unique<skillpipe::MockBackend>(); });
