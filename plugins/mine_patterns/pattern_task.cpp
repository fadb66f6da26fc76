// A grown pattern as what the drafter reads: its winning tool chain and one task record.
#include <algorithm>
#include <map>
#include <set>

#include "pattern_builder.hpp"
#include "procedure.hpp"

namespace skillpipe::mine_patterns {
namespace {

// Items present in at least half of `lists` (at least 2 lists when there are several),
// most common first, ties by first appearance.
std::vector<std::pair<std::string, int>> common_items(const std::vector<const std::vector<std::string>*>& lists) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto* l : lists) {
    std::set<std::string> seen;
    for (const auto& x : *l) {
      if (!seen.insert(x).second) continue;
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == x; });
      if (it == counts.end())
        counts.emplace_back(x, 1);
      else
        ++it->second;
    }
  }
  const int n = static_cast<int>(lists.size());
  const int need = std::max(n > 1 ? 2 : 1, (n + 1) / 2);
  std::vector<std::pair<std::string, int>> out;
  for (const auto& c : counts)
    if (c.second >= need) out.push_back(c);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

// The procedure, agents and projects of the successful members.
void add_what_succeeded(const std::vector<const Member*>& succ, PatternInfo& info) {
  std::vector<std::vector<ProcedureStep>> steps;
  for (const Member* m : succ) {
    steps.push_back(m->steps);
    if (const auto a = parse_agent(m->agent); a && std::find(info.agents.begin(), info.agents.end(), *a) == info.agents.end())
      info.agents.push_back(*a);
    if (std::find(info.projects.begin(), info.projects.end(), m->project) == info.projects.end())
      info.projects.push_back(m->project);
  }
  info.procedure = common_procedure(steps);
}

// The project most members came from.
std::string main_project(const Pattern& p) {
  std::map<std::string, int> projects;
  for (const auto& m : p.members) ++projects[m.project];
  std::string out;
  int top = 0;
  for (const auto& [proj, n] : projects)
    if (n > top) {
      top = n;
      out = proj;
    }
  return out;
}

// Up to three other recent successful requests (not redacted), one per line.
std::string other_requests(const std::vector<const Member*>& succ, const Member* typical) {
  std::string context;
  int shown = 0;
  for (auto it = succ.rbegin(); it != succ.rend() && shown < 3; ++it) {
    if (*it == typical || (*it)->redacted || (*it)->intent.find("[REDACTED") != std::string::npos) continue;
    context += (context.empty() ? "" : "\n") + std::string("- ") + (*it)->intent;
    ++shown;
  }
  return context;
}

// Evidence: the most recent successes (oldest first), then up to two failures.
std::vector<const Member*> evidence_of(const Pattern& p, const std::vector<const Member*>& succ, const MinerOptions& o) {
  std::vector<const Member*> ev(succ.end() - static_cast<long>(std::min(succ.size(), o.max_evidence)), succ.end());
  int fails = 0;
  for (auto it = p.members.rbegin(); it != p.members.rend() && fails < 2; ++it)
    if (it->outcome == Outcome::kFail) {
      ev.push_back(&*it);
      ++fails;
    }
  return ev;
}

}  // namespace

ToolChain winning_path(const Pattern& p) {
  ToolChain chain;
  const auto succ = successes_of(p);
  if (succ.empty()) return chain;
  struct Stat {
    std::string tool;
    int count = 0;
    double pos = 0;  // sum of relative positions (0 = first, 1 = last)
    std::size_t first_seen = 0;
  };
  std::vector<Stat> stats;
  std::size_t order = 0;
  for (const Member* m : succ) {
    const auto& t = m->tools;
    for (std::size_t i = 0; i < t.size(); ++i) {
      auto it = std::find_if(stats.begin(), stats.end(), [&](const Stat& s) { return s.tool == t[i]; });
      if (it == stats.end()) {
        stats.push_back({t[i], 0, 0, order++});
        it = stats.end() - 1;
      }
      ++it->count;
      it->pos += t.size() > 1 ? static_cast<double>(i) / static_cast<double>(t.size() - 1) : 0.0;
    }
  }
  const int n = static_cast<int>(succ.size());
  std::vector<Stat> kept;
  for (const auto& s : stats)
    if (s.count * 2 >= n) kept.push_back(s);
  std::stable_sort(kept.begin(), kept.end(), [](const Stat& a, const Stat& b) {
    const double pa = a.pos / a.count, pb = b.pos / b.count;
    if (pa < pb - 1e-9 || pa > pb + 1e-9) return pa < pb;
    return a.first_seen < b.first_seen;
  });
  int least = n;
  for (const auto& s : kept) {
    chain.tools.push_back(s.tool);
    least = std::min(least, s.count);
  }
  if (!kept.empty()) chain.support = static_cast<double>(least) / n;
  return chain;
}

TaskRecord pattern_task(const Pattern& p, const MinerOptions& o, int new_members) {
  const Readiness r = readiness(p, o);
  const auto succ = successes_of(p);
  const Member* typical = medoid(p);
  TaskRecord t;
  t.id = p.id;
  t.intent = typical ? typical->intent : "";
  t.attempted_solution = typical ? typical->result : "";
  t.outcome = r.successes == 0 ? Outcome::kFail : r.failures == 0 ? Outcome::kSuccess : Outcome::kMixed;
  t.origin = Origin::kReal;
  t.split = Split::kTrain;
  t.tags = {"pattern", r.ready ? "ready" : "not_ready"};

  t.project = main_project(p);

  std::vector<const std::vector<std::string>*> skills, files;
  int corrected = 0;
  for (const Member* m : succ) {
    skills.push_back(&m->skills);
    files.push_back(&m->files);
    corrected += m->corrected;
  }
  const auto common_skills = common_items(skills);
  std::vector<std::string> skill_names, file_names;
  for (const auto& [s, n] : common_skills) skill_names.push_back(s);
  for (const auto& [f, n] : common_items(files))
    if (file_names.size() < 5) file_names.push_back(f);
  if (!skill_names.empty()) t.skill_hint = skill_names.front();
  if (corrected > 0) t.tags.push_back("corrected");

  t.context_excerpt = other_requests(succ, typical);

  for (const auto& m : p.members) t.source_sessions.push_back(m.session);
  const ToolChain chain = winning_path(p);
  PatternInfo& info = t.pattern.emplace();
  info.id = p.id;
  info.label = p.label;
  info.ready = r.ready;
  info.readiness = r.reason;
  info.successes = r.successes;
  info.failures = r.failures;
  info.corrected = corrected;
  info.success_ratio = r.ratio;
  info.tool_chain = chain.tools;
  info.tool_chain_support = chain.support;
  info.skills = skill_names;
  info.files = file_names;
  add_what_succeeded(succ, info);
  for (const Member* m : evidence_of(p, succ, o))
    info.evidence.push_back({m->session, m->outcome, m->at, m->intent,
                             m->result, m->reason});
  info.cluster_size = static_cast<int>(p.members.size());
  info.first_seen = p.members.empty() ? "" : p.members.front().at;
  info.last_seen = p.members.empty() ? "" : p.members.back().at;
  info.created_at = p.created_at;
  info.new_members = new_members;
  info.min_successes = o.min_task_count;
  info.min_success_ratio = o.min_success_ratio;
  return t;
}

}  // namespace skillpipe::mine_patterns
