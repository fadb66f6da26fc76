// recurring.cpp - clustering candidates with the archive into recurring tasks (recurring.hpp).
#include "recurring.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {
namespace {

struct Item {
  const TaskRecord* task;
  bool archived;
};

int attr_int(const TaskRecord& t, const char* key) {
  auto it = t.attrs.find(key);
  if (it == t.attrs.end()) return 0;
  int v = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return std::max(0, v);
}

std::string attr(const TaskRecord& t, const char* key) {
  auto it = t.attrs.find(key);
  return it == t.attrs.end() ? std::string() : it->second;
}

int outcome_rank(Outcome o) {
  switch (o) {
    case Outcome::kSuccess: return 3;
    case Outcome::kFail: return 2;
    case Outcome::kMixed: return 1;
    default: return 0;
  }
}

// The sessions of a cluster, each counted once, and their outcomes.
struct Tally {
  std::vector<std::string> sessions;
  std::set<std::string> seen;
  int n_success = 0, n_fail = 0, n_mixed = 0, n_unknown = 0;

  // An archived task brings its sessions and the counts it already holds.
  void add_archived(const TaskRecord& c) {
    for (const auto& s : c.source_sessions)
      if (seen.insert(s).second) sessions.push_back(s);
    n_success += attr_int(c, "n_success");
    n_fail += attr_int(c, "n_fail");
    n_mixed += attr_int(c, "n_mixed");
    n_unknown += attr_int(c, "n_unknown");
  }
  // A new candidate counts its outcome once per session not seen before.
  void add_candidate(const TaskRecord& c) {
    for (const auto& s : c.source_sessions) {
      if (!seen.insert(s).second) continue;
      sessions.push_back(s);
      switch (c.outcome) {
        case Outcome::kSuccess: ++n_success; break;
        case Outcome::kFail: ++n_fail; break;
        case Outcome::kMixed: ++n_mixed; break;
        default: ++n_unknown; break;
      }
    }
  }
  void write(TaskRecord& t) const {
    t.attrs["cluster_size"] = std::to_string(sessions.size());
    t.attrs["n_success"] = std::to_string(n_success);
    t.attrs["n_fail"] = std::to_string(n_fail);
    t.attrs["n_mixed"] = std::to_string(n_mixed);
    t.attrs["n_unknown"] = std::to_string(n_unknown);
  }
};

// The cluster's solution and start come from its newest success (else its newest attempt).
// An agentic replay starts where that session started and checks what it verified: the
// checks were derived from that session's tree.
void adopt_solution(TaskRecord& t, const TaskRecord* newest_success, const TaskRecord* newest_any) {
  if (newest_success) t.attempted_solution = newest_success->attempted_solution;
  else if (newest_any && t.attempted_solution.empty()) t.attempted_solution = newest_any->attempted_solution;
  const TaskRecord* src = newest_success ? newest_success : newest_any;
  if (!src) return;
  t.start = src->start;
  if (!attr(*src, "agentic_checks").empty()) {
    t.judge = src->judge;
    t.reference_kind = src->reference_kind;
    t.attrs["agentic_checks"] = attr(*src, "agentic_checks");
  }
}

// Up to three other phrasings of the task, shown to the miner and the drafter.
void set_variants(TaskRecord& t, const std::vector<Item>& members) {
  std::vector<std::string> variants;
  for (const auto& m : members) {
    const std::string v = truncate_utf8(m.task->intent, 200);
    if (m.task->intent != t.intent && std::find(variants.begin(), variants.end(), v) == variants.end() && variants.size() < 3)
      variants.push_back(v);
  }
  if (variants.empty()) {
    t.attrs.erase("variants");
    return;
  }
  std::string joined;
  for (const auto& v : variants) joined += (joined.empty() ? "" : "\n") + v;
  t.attrs["variants"] = joined;
}

TaskRecord merge_cluster(const std::vector<Item>& members) {
  const Item* base = &members.front();
  for (const auto& m : members)
    if (m.archived) {
      base = &m;
      break;
    }
  TaskRecord t = *base->task;
  t.origin = Origin::kReal;

  Tally n;
  for (const auto& m : members)
    if (m.archived) n.add_archived(*m.task);
  Outcome best = Outcome::kUnknown;
  const TaskRecord* newest_success = nullptr;
  const TaskRecord* newest_any = nullptr;
  std::string first_seen = attr(t, "first_seen"), last_seen = attr(t, "last_seen");
  std::set<std::string> hints;
  bool missing_hint = false;
  for (const auto& m : members) {
    const TaskRecord& c = *m.task;
    if (outcome_rank(c.outcome) > outcome_rank(best)) best = c.outcome;
    if (c.skill_hint.empty()) missing_hint = true;
    else hints.insert(c.skill_hint);
    const std::string fs = attr(c, "first_seen"), ls = attr(c, "last_seen");
    if (!fs.empty() && (first_seen.empty() || fs < first_seen)) first_seen = fs;
    if (!ls.empty() && ls > last_seen) last_seen = ls;
    for (const auto& tag : c.tags)
      if (tag != "recurring" && std::find(t.tags.begin(), t.tags.end(), tag) == t.tags.end()) t.tags.push_back(tag);
    if (m.archived) continue;
    n.add_candidate(c);
    if (!c.attempted_solution.empty()) {
      if (!newest_any || attr(c, "last_seen") >= attr(*newest_any, "last_seen")) newest_any = &c;
      if (c.outcome == Outcome::kSuccess && (!newest_success || attr(c, "last_seen") >= attr(*newest_success, "last_seen")))
        newest_success = &c;
    }
    // A task without a judge takes the first judge a member brings (an LLM rubric).
    if (t.judge.kind == ReferenceKind::kNone && t.reference_kind == ReferenceKind::kNone && c.judge.kind != ReferenceKind::kNone) {
      t.judge = c.judge;
      t.reference_kind = c.reference_kind;
      t.reference = c.reference;
    }
  }
  t.source_sessions = n.sessions;
  if (n.sessions.size() > 50) t.source_sessions.erase(t.source_sessions.begin(), t.source_sessions.end() - 50);
  t.outcome = (n.n_success + n.n_fail + n.n_mixed) > 0 ? merged_outcome(n.n_success, n.n_fail, n.n_mixed) : best;
  adopt_solution(t, newest_success, newest_any);
  t.skill_hint = (!missing_hint && hints.size() == 1) ? *hints.begin() : std::string();
  t.tags.erase(std::remove(t.tags.begin(), t.tags.end(), "recurring"), t.tags.end());
  if (n.sessions.size() >= 2) t.tags.push_back("recurring");
  set_variants(t, members);
  n.write(t);
  if (!first_seen.empty()) t.attrs["first_seen"] = first_seen;
  if (!last_seen.empty()) t.attrs["last_seen"] = last_seen;
  return t;
}

}  // namespace

Outcome merged_outcome(int success, int fail, int mixed) {
  if (success > fail) return Outcome::kSuccess;
  if (fail > success) return Outcome::kFail;
  if (success > 0 || mixed > 0) return Outcome::kMixed;
  return Outcome::kUnknown;
}

ClusterResult merge_recurring(const std::vector<TaskRecord>& candidates, const std::vector<TaskRecord>& archive,
                              double threshold) {
  // Per project, archive first: an archived task is its cluster's first member, so the
  // cluster keeps its identity.
  std::map<std::string, std::vector<Item>> groups;
  std::vector<std::string> order;  // projects in first-candidate order
  for (const auto& a : archive)
    if (a.origin == Origin::kReal) groups[a.project].push_back({&a, true});
  for (const auto& c : candidates) {
    if (std::find(order.begin(), order.end(), c.project) == order.end()) order.push_back(c.project);
    groups[c.project].push_back({&c, false});
  }
  struct Emitted {
    std::size_t first_candidate;  // position in `candidates`, for a stable output order
    TaskRecord task;
  };
  std::vector<Emitted> emitted;
  std::map<const TaskRecord*, std::size_t> position;
  for (std::size_t i = 0; i < candidates.size(); ++i) position[&candidates[i]] = i;

  for (const auto& project : order) {
    const auto& items = groups[project];
    std::vector<std::vector<std::string>> sets;
    sets.reserve(items.size());
    for (const auto& it : items) sets.push_back(intent_tokens(it.task->intent));
    const auto labels = cluster_by_similarity(sets, threshold);
    std::map<std::size_t, std::vector<Item>> clusters;
    for (std::size_t i = 0; i < items.size(); ++i) clusters[labels[i]].push_back(items[i]);
    for (auto& [label, members] : clusters) {
      std::size_t first = candidates.size();
      for (const auto& m : members)
        if (!m.archived) first = std::min(first, position[m.task]);
      if (first == candidates.size()) continue;  // only archived tasks: not seen tonight
      emitted.push_back({first, merge_cluster(members)});
    }
  }
  std::stable_sort(emitted.begin(), emitted.end(),
                   [](const Emitted& a, const Emitted& b) { return a.first_candidate < b.first_candidate; });
  ClusterResult out;
  for (auto& e : emitted) {
    out.sizes.push_back(std::stoi(e.task.attrs["cluster_size"]));
    out.tasks.push_back(std::move(e.task));
  }
  return out;
}

}  // namespace skillpipe::mine_tasks
