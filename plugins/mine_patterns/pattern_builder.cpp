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

}  // namespace

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

namespace {

// Where each known session lives, and which patterns use each token: a session is only
// compared with patterns it shares a token with.
class PatternIndex {
 public:
  explicit PatternIndex(PatternState& st) : st_(st) {
    for (std::size_t pi = 0; pi < st.patterns.size(); ++pi)
      for (std::size_t mi = 0; mi < st.patterns[pi].members.size(); ++mi) add(pi, mi);
  }
  void add(std::size_t pi, std::size_t mi) {
    const Member& q = st_.patterns[pi].members[mi];
    where_[q.session] = {pi, mi};
    for (const auto& t : features_of(q)) {
      auto& v = by_token_[t];
      if (v.empty() || v.back() != pi) v.push_back(pi);
    }
  }
  // The (pattern, member) a session already is, if any.
  const std::pair<std::size_t, std::size_t>* find(const std::string& session) const {
    const auto it = where_.find(session);
    return it == where_.end() ? nullptr : &it->second;
  }
  // The patterns sharing a feature, each once, in pattern order.
  std::vector<std::size_t> candidates(const std::vector<std::string>& features) const {
    std::vector<std::size_t> out;
    for (const auto& t : features)
      if (const auto it = by_token_.find(t); it != by_token_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  PatternState& st_;
  std::unordered_map<std::string, std::pair<std::size_t, std::size_t>> where_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_token_;
};

// Each member re-judged in place (a session seen before) or added to the pattern it
// resembles most; returns the members no pattern took.
std::vector<Member> place_members(PatternState& st, std::vector<Member>& members, const MinerOptions& o,
                                  std::map<std::string, int>& touched) {
  PatternIndex index(st);
  std::vector<Member> fresh;
  for (auto& m : members) {
    // A session seen before (it grew, or was harvested again) is re-judged in place.
    if (const auto* at = index.find(m.session)) {
      Pattern& p = st.patterns[at->first];
      p.members[at->second] = std::move(m);
      ++touched[p.id];
      continue;
    }
    const auto mf = features_of(m);
    std::size_t best = st.patterns.size();
    double best_sim = 0;
    for (std::size_t pi : index.candidates(mf))
      for (const auto& q : st.patterns[pi].members)
        if (double s = similarity(m, mf, q); s > best_sim || (s == best_sim && pi < best)) {
          best_sim = s;
          best = pi;
        }
    if (best < st.patterns.size() && best_sim + 1e-12 >= o.similarity_threshold) {
      Pattern& p = st.patterns[best];
      p.members.push_back(std::move(m));
      ++touched[p.id];
      index.add(best, p.members.size() - 1);
    } else {
      fresh.push_back(std::move(m));
    }
  }
  return fresh;
}

// Clusters the members no pattern took into new patterns.
void found_patterns(PatternState& st, std::vector<Member> fresh, const MinerOptions& o, const std::string& now,
                    std::map<std::string, int>& touched) {
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
}

// A touched pattern keeps its newest members and relabels until it is first ready.
void refresh(Pattern& p, const MinerOptions& o, const std::string& now) {
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

}  // namespace

std::map<std::string, int> absorb(PatternState& st, std::vector<Member> members, const MinerOptions& o,
                                  const std::string& now) {
  std::map<std::string, int> touched;
  std::stable_sort(members.begin(), members.end(),
                   [](const Member& a, const Member& b) { return a.at != b.at ? a.at < b.at : a.session < b.session; });
  found_patterns(st, place_members(st, members, o, touched), o, now, touched);
  for (auto& p : st.patterns)
    if (touched.count(p.id)) refresh(p, o, now);
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

}  // namespace skillpipe::mine_patterns
