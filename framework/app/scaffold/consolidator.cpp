// The `skillpipe new-plugin --kind consolidator` source: a minimal working consolidator that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

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
                 kSchemaJson, [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
