// fanout.hpp - per-skill fan-out: tasks whose sessions used one skill the user already has
// (their skill hint) are consolidated against that skill, each with its own gate and
// proposal, editing only inside the skill's managed regions. Everything else goes to the
// managed skill.
#pragma once

#include <string>
#include <vector>

#include "documents.hpp"
#include "settings.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct Group {
  std::string name;      // skill name
  bool managed = false;  // the managed (skillpipe-learned) skill
  Target target;         // a skill target
  std::string path;      // the skill's live SKILL.md
  std::vector<TaskRecord> tasks;
};

struct GroupPlan {
  std::vector<Group> groups;  // the managed group first (when it has tasks)
  std::vector<std::string> notes;
};

// The roots searched for a hinted skill, each with the target its skills belong to.
std::vector<std::pair<std::string, Target>> skill_search_roots(const Settings& s, const std::string& project);

GroupPlan plan_groups(const std::vector<TaskRecord>& tasks, const Settings& s, const std::string& project,
                      Target managed_target, const std::string& managed_path);

}  // namespace skillpipe::consolidate_reflect
