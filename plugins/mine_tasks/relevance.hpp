// relevance.hpp - keeping the tasks that matter to a target skill (SkillOpt's filter).
//
// Strong keywords come from the skill's path (folder and file name), its front-matter
// name/description and its Markdown headings; weak keywords are the 180 most frequent
// other words of its body. A task (intent + context) scores 3 per strong hit + 1 per weak
// hit and is relevant with >= 1 strong or >= 2 weak hits. When nothing is relevant the
// list is kept as it was (a filter that empties the night helps no one).
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

struct SkillKeywords {
  std::vector<std::string> strong;  // sorted
  std::vector<std::string> weak;    // sorted
};

SkillKeywords skill_keywords(const std::string& skill_path, const std::string& skill_text);

struct RelevanceResult {
  std::vector<TaskRecord> tasks;   // relevant ones, best first (stable), or all when none is
  int relevant = 0;
  bool kept_all = false;
};

RelevanceResult filter_relevant(std::vector<TaskRecord> tasks, const SkillKeywords& kw);

}  // namespace skillpipe::mine_tasks
