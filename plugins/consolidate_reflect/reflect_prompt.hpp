// reflect_prompt.hpp - the evidence a reflection call shows the optimizer, and the prompt.
//
// Sections (each empty when there is nothing to say): the failed criteria in plain words
// with counts; failures as wanted / got / why (bounded); successes as contrast; good vs
// bad attempts of the same task (rollouts_k > 1); user preferences; the task output
// contract; the skill's triggering (agentic replays); edits rejected on earlier nights.
// Everything is redacted before it is placed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skillpipe/records.hpp"
#include "trigger_stats.hpp"

namespace skillpipe::consolidate_reflect {

struct Evidence {
  struct Failure {
    std::string task_id, intent, response, why;
    std::vector<std::string> tags;
  };
  struct Success {
    std::string intent, response;
  };
  struct Contrast {
    std::string intent, good, bad, bad_why;
    double good_score = 0, bad_score = 0;
  };
  std::vector<Failure> failures;
  std::vector<Success> successes;
  std::vector<Contrast> contrasts;
  std::vector<std::pair<std::string, int>> criteria;  // plain-words criterion, failures citing it
  std::string contract;                               // a task's output contract (system prompt)
  // Skill target on agentic replays: where the agent did and did not invoke the skill.
  std::optional<TriggerExamples> triggering;
};

struct PromptInput {
  EditTarget target = EditTarget::kSkill;
  std::string document;
  Evidence evidence;
  std::vector<std::string> rejected;  // contents of earlier nights' rejected edits
  std::string preferences;
  int edit_budget = 4;
  std::size_t max_edit_chars = 400;
  int max_failures = 8;
  int max_successes = 4;
  int excerpt_chars = 200;
};

// The values of every placeholder (see reflect_placeholders()).
std::map<std::string, std::string> prompt_values(const PromptInput& in);
std::string build_reflect_prompt(const std::string& tmpl, const PromptInput& in);

// Counts criteria across failures, keeping first-seen order.
void add_criteria(std::vector<std::pair<std::string, int>>& into, const std::vector<std::string>& criteria);

}  // namespace skillpipe::consolidate_reflect
