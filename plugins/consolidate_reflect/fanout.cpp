#include "fanout.hpp"

#include <filesystem>
#include <map>
#include <set>

#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/targets.hpp"

namespace fs = std::filesystem;

namespace skillpipe::consolidate_reflect {

std::vector<std::pair<std::string, Target>> skill_search_roots(const Settings& s, const std::string& project) {
  std::vector<std::pair<std::string, Target>> roots;
  std::set<std::string> seen;
  auto add = [&](const std::string& root, Agent agent) {
    const std::string r = targets::expand_root(root, project);
    if (!r.empty() && seen.insert(r).second) roots.emplace_back(r, Target{agent, DocKind::kSkill});
  };
  add(s.claude_skill_root, Agent::kClaude);
  add(s.codex_skill_root, Agent::kCodex);
  add(targets::conventions(Agent::kClaude).user_skill_root, Agent::kClaude);
  add(targets::conventions(Agent::kCodex).user_skill_root, Agent::kCodex);
  for (const auto& r : s.skill_roots) add(r, Agent::kClaude);
  return roots;
}

GroupPlan plan_groups(const std::vector<TaskRecord>& tasks, const Settings& s, const std::string& project,
                      Target managed_target, const std::string& managed_path) {
  GroupPlan plan;
  Group managed;
  managed.name = s.skill_name;
  managed.managed = true;
  managed.target = managed_target;
  managed.path = managed_path;
  std::vector<Group> hinted;
  std::map<std::string, std::size_t> index;       // hint -> position in `hinted`
  std::map<std::string, std::string> unresolved;  // hint -> why it went to the managed skill
  const auto roots = skill_search_roots(s, project);
  for (const auto& t : tasks) {
    const std::string& hint = t.skill_hint;
    if (!s.fanout || hint.empty() || hint == s.skill_name || unresolved.count(hint)) {
      managed.tasks.push_back(t);
      continue;
    }
    if (auto it = index.find(hint); it != index.end()) {
      hinted[it->second].tasks.push_back(t);
      continue;
    }
    std::string why;
    std::vector<std::pair<std::string, Target>> found;  // (canonical path, target)
    if (!valid_skill_name(hint)) {
      why = "not a skill directory name";
    } else if (static_cast<int>(hinted.size()) >= s.fanout_max) {
      why = "more than fanout_max=" + std::to_string(s.fanout_max) + " skills tonight";
    } else {
      std::set<std::string> canon;
      for (const auto& [root, target] : roots) {
        const fs::path p = fs::path(root) / hint / "SKILL.md";
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) continue;
        const std::string c = fs::weakly_canonical(p, ec).string();
        if (canon.insert(c).second) found.emplace_back(p.lexically_normal().string(), target);
      }
      if (found.empty())
        why = "no " + hint + "/SKILL.md in the skill roots";
      else if (found.size() > 1)
        why = "ambiguous: " + found[0].first + " and " + found[1].first;
    }
    if (!why.empty()) {
      unresolved[hint] = why;
      managed.tasks.push_back(t);
      continue;
    }
    Group g;
    g.name = hint;
    g.path = found[0].first;
    g.target = found[0].second;
    g.tasks.push_back(t);
    index[hint] = hinted.size();
    hinted.push_back(std::move(g));
  }
  for (const auto& [hint, why] : unresolved)
    plan.notes.push_back("Tasks that used skill '" + hint + "' went to the managed skill (" + why + ").");
  if (!managed.tasks.empty()) plan.groups.push_back(std::move(managed));
  for (auto& g : hinted) plan.groups.push_back(std::move(g));
  return plan;
}

}  // namespace skillpipe::consolidate_reflect
