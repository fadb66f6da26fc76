// The `skillpipe new-plugin --kind judge` source: a minimal working judge that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

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
                 kSchemaJson, [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
