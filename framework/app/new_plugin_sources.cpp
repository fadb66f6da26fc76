// new_plugin_sources.cpp - minimal working plugins for `skillpipe new-plugin`: harvester,
// miner, judge, consolidator. (Store and backend: new_plugin_sources2.cpp.) Each compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "new_plugin_templates.hpp"

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
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES "}}";

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

const char* const kMinerSource =
    R"TPL(// @NAME@ - a skillpipe miner: prompts the user gave at least `min_count` times become tasks.
//
// Tasks are split train/val/test by a hash of their id, so a task keeps its split from night
// to night. Replace mine() with your own notion of a recurring task.
#include <algorithm>
#include <map>
#include <set>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "min_count": {"type": "integer", "minimum": 1, "description": "times a prompt must recur (default 2)"}
  }
})JSON";

// Lower case, single spaces: "Run  the Tests" and "run the tests" are the same task.
std::string normalize(std::string_view s) {
  std::string out;
  for (char c : to_lower_ascii(trim(s))) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

class @CAMEL@ : public Miner {
 public:
  void configure(const Config& config, Context&) override { min_count_ = config.get_int("min_count", 2); }

  std::vector<TaskRecord> mine(const std::vector<SessionDigest>& digests, Context& ctx) override {
    struct Group {
      TaskRecord task;
      std::int64_t count = 0;
    };
    std::map<std::string, Group> groups;  // ordered: the same digests give the same tasks
    for (const auto& d : digests)
      for (std::size_t i = 0; i < d.user_prompts.size(); ++i) {
        const std::string key = normalize(d.user_prompts[i]);
        if (key.empty()) continue;
        Group& g = groups[key];
        if (g.count++ == 0) {
          g.task.id = "@NAME@-" + sha256_hex(key).substr(0, 12);
          g.task.project = d.project;
          g.task.intent = d.user_prompts[i];
          g.task.tags = {"@NAME@"};
        }
        if (i < d.assistant_finals.size()) g.task.attempted_solution = d.assistant_finals[i];
        if (std::find(g.task.source_sessions.begin(), g.task.source_sessions.end(), d.session_id) ==
            g.task.source_sessions.end())
          g.task.source_sessions.push_back(d.session_id);
      }
    std::vector<TaskRecord> out;
    for (auto& [key, g] : groups) {
      if (g.count < min_count_) continue;
      const int bucket = std::stoi(g.task.id.substr(g.task.id.size() - 1), nullptr, 16);  // 0..15
      g.task.split = bucket < 11 ? Split::kTrain : bucket < 13 ? Split::kVal : Split::kTest;
      out.push_back(std::move(g.task));
    }
    ctx.count("tasks", static_cast<std::int64_t>(out.size()));
    return out;
  }

 private:
  std::int64_t min_count_ = 2;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kMiner, "0.1.0", "@NAME@: recurring prompts -> tasks", kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

const char* const kJudgeSource =
    R"TPL(// @NAME@ - a skillpipe judge: does the response contain the task's reference answer?
//
// hard = 1 when the whole reference occurs in the response; soft = the share of the
// reference's words that do. Judges must be pure (same input, same verdict) and
// thread-safe: the evaluation service calls them from several threads.
#include <sstream>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "case_sensitive": {"type": "boolean", "description": "compare case exactly (default false)"}
  }
})JSON";

class @CAMEL@ : public Judge {
 public:
  void configure(const Config& config, Context&) override { case_sensitive_ = config.get_bool("case_sensitive", false); }

  Verdict judge(const TaskRecord& task, const ReplayResult& replay, Context&) override {
    Verdict v;
    v.task_id = task.id;
    if (trim(task.reference).empty()) {
      v.rationale = "the task has no reference answer";
      v.failed_criteria.push_back("a reference answer to compare with");
      return v;
    }
    const std::string response = fold(replay.response);
    const std::string reference = fold(trim(task.reference));
    std::istringstream words(reference);
    int total = 0, found = 0;
    for (std::string w; words >> w; ++total) found += response.find(w) != std::string::npos;
    v.hard = response.find(reference) != std::string::npos ? 1 : 0;
    v.soft = total ? static_cast<double>(found) / total : 0;
    v.rationale = v.hard ? "the reference occurs in the response"
                         : std::to_string(found) + " of " + std::to_string(total) + " reference words found";
    if (!v.hard) v.failed_criteria.push_back("the response must contain \"" + trim(task.reference) + "\"");
    return v;
  }

  std::vector<std::string> validate(const TaskRecord& task) const override {
    if (trim(task.reference).empty()) return {"no reference answer: every replay will fail this judge"};
    return {};
  }

 private:
  std::string fold(std::string_view s) const { return case_sensitive_ ? std::string(s) : to_lower_ascii(s); }
  bool case_sensitive_ = false;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kJudge, "0.1.0", "@NAME@: the response contains the reference answer",
                 kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

const char* const kConsolidatorSource =
    R"TPL(// @NAME@ - a skillpipe consolidator: drafts a skill from the tasks whose observed solutions
// passed every judge wired into it. The draft is staged for review, never written live.
//
// A real consolidator would replay tasks through ctx.evaluator() under a candidate skill and
// keep an edit only if it beats the baseline on the val split.
#include <map>

#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "skill_name": {"type": "string", "description": "name of the drafted skill (default @NAME@)"}
  }
})JSON";

class @CAMEL@ : public Consolidator {
 public:
  void configure(const Config& config, Context&) override { skill_name_ = config.get_string("skill_name", "@NAME@"); }

  ConsolidateResult consolidate(const ConsolidateInput& in, Context& ctx) override {
    std::map<std::string, double> worst;  // task id -> lowest hard score over the judges
    for (const auto& v : in.observed) {
      auto [it, fresh] = worst.emplace(v.task_id, v.hard);
      if (!fresh && v.hard < it->second) it->second = v.hard;
    }
    std::string list;
    std::int64_t passed = 0;
    for (const auto& t : in.tasks) {
      auto it = worst.find(t.id);
      if (it == worst.end() || it->second < 1) continue;
      list += "- " + t.intent + "\n";
      ++passed;
    }
    ConsolidateResult r;
    r.report.counts["tasks_seen"] = static_cast<std::int64_t>(in.tasks.size());
    r.report.counts["tasks_passed"] = passed;
    ctx.count("tasks_passed", passed);
    if (passed == 0) {
      r.report.gate_action = GateAction::kNoEdits;
      r.report.gate_reason = "no task passed its judges";
      return r;
    }
    Proposal p;
    p.name = skill_name_;
    p.target = {Agent::kClaude, DocKind::kSkill};
    p.status = ProposalStatus::kDraft;
    p.proposed_text = "---\nname: " + skill_name_ + "\ndescription: Recurring tasks that went well.\n---\n\n# " +
                      skill_name_ + "\n\n## Tasks done well before\n" + list;
    p.reasons.push_back(std::to_string(passed) + " recurring task(s) passed every judge");
    r.proposals.push_back(std::move(p));
    r.report.gate_action = GateAction::kOffline;
    r.report.gate_reason = "drafted from observed successes; not validated by replay";
    return r;
  }

 private:
  std::string skill_name_;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kConsolidator, "0.1.0", "@NAME@: drafts a skill from tasks done well",
                 kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

extern const char* const kStoreSource;
extern const char* const kBackendSource;

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> k = {"harvester", "miner", "judge", "consolidator", "store", "backend"};
  return k;
}

const char* kind_source(const std::string& kind) {
  if (kind == "harvester") return kHarvesterSource;
  if (kind == "miner") return kMinerSource;
  if (kind == "judge") return kJudgeSource;
  if (kind == "consolidator") return kConsolidatorSource;
  if (kind == "store") return kStoreSource;
  if (kind == "backend") return kBackendSource;
  return nullptr;
}

}  // namespace skillpipe::app::scaffold
