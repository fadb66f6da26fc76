// pattern_builder.hpp - judged sessions in, grown patterns and pattern task records out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pattern_state.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::mine_patterns {

struct MinerOptions {
  int min_task_count = 2;             // successes a pattern needs to be ready
  double min_success_ratio = 0.7;     // successes / (successes + failures)
  double similarity_threshold = 0.5;  // Jaccard of intent tokens
  std::size_t max_members = 50;       // per pattern; the oldest are dropped beyond it
  std::size_t max_patterns = 500;     // per project; the least recently updated are dropped
  std::size_t intent_chars = 240;
  std::size_t result_chars = 400;
  std::size_t max_evidence = 5;  // excerpts per task record
  SessionJudgeOptions judge;
};

// A judged session as a pattern member (redacted, truncated); `j.outcome` must be known.
Member member_from(const SessionDigest& d, const SessionJudgement& j, const MinerOptions& o);

// Adds members to the patterns they resemble (single link, any member at >= threshold),
// clusters the rest into new patterns, and updates members already known by session id.
// Returns how many members each touched pattern gained or refreshed.
std::map<std::string, int> absorb(PatternState& state, std::vector<Member> members, const MinerOptions& o,
                                  const std::string& now);

struct Readiness {
  bool ready = false;
  int successes = 0;
  int failures = 0;
  double ratio = 0;
  std::string reason;  // why (not) ready, in words
};
Readiness readiness(const Pattern& p, const MinerOptions& o);

// The successful members, in member order.
std::vector<const Member*> successes_of(const Pattern& p);
// The success most similar to the others (clean requests preferred): the most typical example.
const Member* medoid(const Pattern& p);

// Tools used by at least half of the successful sessions, ordered by where they usually
// come in a session; `support` is the share of successful sessions that used the least
// common of them.
struct ToolChain {
  std::vector<std::string> tools;
  double support = 0;
};
ToolChain winning_path(const Pattern& p);

// The pattern as one task record (tags "pattern", "ready"/"not_ready"; `pattern` carries the
// readiness, counts, tool chain and evidence excerpts).
TaskRecord pattern_task(const Pattern& p, const MinerOptions& o, int new_members);

}  // namespace skillpipe::mine_patterns
