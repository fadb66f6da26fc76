// Growing offline patterns from judged sessions.
#include "pattern_builder.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include "procedure.hpp"
#include "request_text.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_patterns {
namespace {

// One line, redacted, bounded: what a report or a drafted skill may quote.
std::string excerpt(std::string_view s, std::size_t max) {
  std::string flat;
  for (char c : redact_secrets(s)) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (flat.empty() || flat.back() == ' ')) continue;
    flat += c;
  }
  return truncate_utf8(trim(flat), max);
}

std::string fmt2(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  return b;
}

std::string plural(int n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : word.back() == 's' ? "es" : "s");
}

// What clustering compares besides the request's words: the request's words plus what the
// session did (its step keys), so "write the release notes" and "generate RELEASE_NOTES.md"
// that both ran `git log --merges` and wrote RELEASE_NOTES.md meet even when their words
// alone are too far apart. Two sessions are linked when either their words or these
// features are similar enough: what they did can bring paraphrases together, never split
// what the words already join.
std::vector<std::string> features_of(const Member& m) {
  std::vector<std::string> f = m.tokens;
  for (const auto& st : m.steps) f.push_back(std::string(to_string(st.kind)) + ":" + to_lower_ascii(step_key(st)));
  std::sort(f.begin(), f.end());
  f.erase(std::unique(f.begin(), f.end()), f.end());
  return f;
}

double similarity(const Member& a, const std::vector<std::string>& a_features, const Member& b) {
  return std::max(jaccard(a.tokens, b.tokens), jaccard(a_features, features_of(b)));
}

// The union of two clusterings of the same items (each given as the index of every item's
// cluster root): items linked in either are in one cluster, rooted at its first item.
std::vector<std::size_t> linked_by_either(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b) {
  std::vector<std::size_t> parent(a.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  auto unite = [&](std::size_t x, std::size_t y) {
    x = find(x);
    y = find(y);
    if (x != y) parent[std::max(x, y)] = std::min(x, y);
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    unite(i, a[i]);
    unite(i, b[i]);
  }
  std::vector<std::size_t> roots(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) roots[i] = find(i);
  return roots;
}

// The label of a pattern: the verb and object most of its requests share, most typical
// request first (request_text.hpp); requests that are mostly redaction markers do not vote.
std::string make_label(const Member* typical, const std::vector<Member>& members) {
  std::vector<std::string> requests;
  if (typical && !typical->redacted) requests.push_back(typical->intent);
  for (const auto& m : members)
    if (&m != typical && !m.redacted && m.outcome == Outcome::kSuccess) requests.push_back(m.intent);
  std::string label = label_from_requests(requests);
  if (label.size() > 48) label = label.substr(0, label.rfind('-', 48));
  return label;
}

std::string make_id(const Member& first) {
  std::string material = first.project + "\n" + first.session + "\n";
  for (const auto& t : first.tokens) material += t + " ";
  return "pat-" + sha256_hex(material).substr(0, 12);
}

std::vector<const Member*> successes_of(const Pattern& p) {
  std::vector<const Member*> s;
  for (const auto& m : p.members)
    if (m.outcome == Outcome::kSuccess) s.push_back(&m);
  return s;
}

// The success most similar to the others: the pattern's most typical example.
const Member* medoid(const Pattern& p) {
  auto pool = successes_of(p);
  const auto clean = std::count_if(pool.begin(), pool.end(), [](const Member* m) { return !m->redacted; });
  if (clean > 0)
    pool.erase(std::remove_if(pool.begin(), pool.end(), [](const Member* m) { return m->redacted; }), pool.end());
  if (pool.empty())
    for (const auto& m : p.members) pool.push_back(&m);
  const Member* best = nullptr;
  double best_score = -1;
  for (const Member* a : pool) {
    double score = 0;
    for (const Member* b : pool)
      if (a != b) score += jaccard(a->tokens, b->tokens);
    if (score > best_score + 1e-12) {
      best = a;
      best_score = score;
    }
  }
  return best;
}

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

}  // namespace

Member member_from(const SessionDigest& d, const SessionJudgement& j, const MinerOptions& o) {
  Member m;
  m.session = d.session_id;
  m.project = d.project;
  m.outcome = j.outcome == Outcome::kSuccess ? Outcome::kSuccess : Outcome::kFail;
  m.reason = j.reason;
  m.corrected = j.corrected;
  m.at = !d.ended_at.empty() ? d.ended_at : d.started_at;
  m.intent = excerpt(j.intent, o.intent_chars);
  if (j.final_turn >= 0) m.result = excerpt(d.assistant_finals[static_cast<std::size_t>(j.final_turn)], o.result_chars);
  m.tools = tool_names(d.tools);
  m.skills = d.skills_used;
  for (std::size_t i = 0; i < d.files_touched.size() && m.files.size() < 20; ++i) {
    std::string f = d.files_touched[i];
    if (!d.project.empty() && starts_with(f, d.project + "/")) f = f.substr(d.project.size() + 1);
    m.files.push_back(std::move(f));
  }
  m.agent = d.source;
  if (j.outcome == Outcome::kSuccess) m.steps = session_steps(d.commands, d.project);
  m.redacted = mostly_redacted(j.intent);
  m.tokens = intent_tokens(normalize_request(j.intent));
  return m;
}

std::map<std::string, int> absorb(PatternState& st, std::vector<Member> members, const MinerOptions& o,
                                  const std::string& now) {
  std::map<std::string, int> touched;
  std::stable_sort(members.begin(), members.end(),
                   [](const Member& a, const Member& b) { return a.at != b.at ? a.at < b.at : a.session < b.session; });
  // Where each known session lives, and which patterns use each token: a session is only
  // compared with patterns it shares a token with.
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> where;
  std::unordered_map<std::string, std::vector<std::size_t>> by_token;
  auto index_member = [&](std::size_t pi, std::size_t mi) {
    const Member& q = st.patterns[pi].members[mi];
    where[q.session] = {pi, mi};
    for (const auto& t : features_of(q)) {
      auto& v = by_token[t];
      if (v.empty() || v.back() != pi) v.push_back(pi);
    }
  };
  for (std::size_t pi = 0; pi < st.patterns.size(); ++pi)
    for (std::size_t mi = 0; mi < st.patterns[pi].members.size(); ++mi) index_member(pi, mi);

  std::vector<Member> fresh;
  for (auto& m : members) {
    // A session seen before (it grew, or was harvested again) is re-judged in place.
    if (const auto it = where.find(m.session); it != where.end()) {
      Pattern& p = st.patterns[it->second.first];
      p.members[it->second.second] = std::move(m);
      ++touched[p.id];
      continue;
    }
    std::vector<std::size_t> candidates;
    const auto mf = features_of(m);
    for (const auto& t : mf)
      if (const auto it = by_token.find(t); it != by_token.end())
        candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::size_t best = st.patterns.size();
    double best_sim = 0;
    for (std::size_t pi : candidates)
      for (const auto& q : st.patterns[pi].members)
        if (double s = similarity(m, mf, q); s > best_sim || (s == best_sim && pi < best)) {
          best_sim = s;
          best = pi;
        }
    if (best < st.patterns.size() && best_sim + 1e-12 >= o.similarity_threshold) {
      Pattern& p = st.patterns[best];
      p.members.push_back(std::move(m));
      ++touched[p.id];
      index_member(best, p.members.size() - 1);
    } else {
      fresh.push_back(std::move(m));
    }
  }

  std::vector<std::vector<std::string>> sets;
  std::vector<std::vector<std::string>> with_steps;
  for (const auto& m : fresh) {
    sets.push_back(m.tokens);
    with_steps.push_back(features_of(m));
  }
  const auto roots = linked_by_either(cluster_by_similarity(sets, o.similarity_threshold),
                                      cluster_by_similarity(with_steps, o.similarity_threshold));
  std::map<std::size_t, std::size_t> pattern_of_root;
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    auto [it, added] = pattern_of_root.emplace(roots[i], st.patterns.size());
    if (added) {
      Pattern p;
      p.id = make_id(fresh[i]);
      p.created_at = now;
      st.patterns.push_back(std::move(p));
    }
    Pattern& p = st.patterns[it->second];
    p.members.push_back(std::move(fresh[i]));
    ++touched[p.id];
  }

  for (auto& p : st.patterns) {
    if (!touched.count(p.id)) continue;
    p.updated_at = now;
    std::stable_sort(p.members.begin(), p.members.end(), [](const Member& a, const Member& b) { return a.at < b.at; });
    if (p.members.size() > o.max_members)
      p.members.erase(p.members.begin(), p.members.begin() + static_cast<long>(p.members.size() - o.max_members));
    // The label follows the evidence until the pattern is first ready, then stays: a skill
    // drafted from it keeps its name.
    if (p.label.empty() || !p.label_fixed) {
      p.label = make_label(medoid(p), p.members);
      if (p.label.empty()) p.label = "pattern-" + p.id.substr(4, 6);
      p.label_fixed = readiness(p, o).ready;
    }
  }
  if (st.patterns.size() > o.max_patterns) {
    std::stable_sort(st.patterns.begin(), st.patterns.end(),
                     [](const Pattern& a, const Pattern& b) { return a.updated_at > b.updated_at; });
    st.patterns.resize(o.max_patterns);
  }
  return touched;
}

Readiness readiness(const Pattern& p, const MinerOptions& o) {
  Readiness r;
  r.successes = p.successes();
  r.failures = p.failures();
  const int total = r.successes + r.failures;
  r.ratio = total > 0 ? static_cast<double>(r.successes) / total : 0.0;
  const std::string counts = plural(r.successes, "success") + ", " + plural(r.failures, "failure");
  const auto succ = successes_of(p);
  const auto redacted = std::count_if(succ.begin(), succ.end(), [](const Member* m) { return m->redacted; });
  if (r.successes > 0 && redacted * 2 >= r.successes) {
    r.reason = "its requests are mostly redacted text (secrets or names removed), nothing to name a skill after (" +
               counts + ")";
  } else if (r.successes < o.min_task_count) {
    r.reason = "needs " + std::to_string(o.min_task_count) + " successful sessions, has " + counts;
  } else if (r.ratio + 1e-12 < o.min_success_ratio) {
    r.reason = "success ratio " + fmt2(r.ratio) + " < " + fmt2(o.min_success_ratio) + " (" + counts + ")";
  } else {
    r.ready = true;
    r.reason = "ready: " + counts + ", success ratio " + fmt2(r.ratio);
  }
  return r;
}

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

  // The project most members came from.
  std::map<std::string, int> projects;
  for (const auto& m : p.members) ++projects[m.project];
  int top = 0;
  for (const auto& [proj, n] : projects)
    if (n > top) {
      top = n;
      t.project = proj;
    }

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

  std::string context;
  int shown = 0;
  for (auto it = succ.rbegin(); it != succ.rend() && shown < 3; ++it) {
    if (*it == typical || (*it)->redacted || (*it)->intent.find("[REDACTED") != std::string::npos) continue;
    context += (context.empty() ? "" : "\n") + std::string("- ") + (*it)->intent;
    ++shown;
  }
  t.context_excerpt = context;

  // Evidence: the most recent successes (oldest first), then up to two failures.
  std::vector<const Member*> ev(succ.end() - static_cast<long>(std::min(succ.size(), o.max_evidence)), succ.end());
  int fails = 0;
  for (auto it = p.members.rbegin(); it != p.members.rend() && fails < 2; ++it)
    if (it->outcome == Outcome::kFail) {
      ev.push_back(&*it);
      ++fails;
    }

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
  for (const Member* m : ev)
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
