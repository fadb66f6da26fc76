// samples.hpp - the inputs the conformance harness feeds a plugin when the test gives none:
// a few session digests (for miners), and a task with a replay that any kind of judge can score.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::testing::conformance {

inline std::vector<SessionDigest> sample_digests() {
  std::vector<SessionDigest> out;
  const char* prompts[] = {"run the unit tests and fix the failing one", "run the unit tests and fix the failing one",
                           "write the release notes for version 2.3"};
  for (int i = 0; i < 3; ++i) {
    SessionDigest d;
    d.session_id = "conformance-" + std::to_string(i);
    d.source = "conformance";
    d.project = "/tmp/conformance-project";
    d.started_at = "2026-01-0" + std::to_string(i + 1) + "T10:00:00Z";
    d.ended_at = "2026-01-0" + std::to_string(i + 1) + "T10:20:00Z";
    d.user_prompts = {prompts[i], "thanks, that works"};
    d.assistant_finals = {"Done: the test now passes.", "You're welcome."};
    d.tools = {{"Bash", 2, 0}, {"Edit", 1, 0}};
    d.files_touched = {"src/app.cpp"};
    d.feedback_signals = {{1, "positive", "that works"}};
    d.n_user_turns = 2;
    d.n_assistant_turns = 2;
    d.usage.input = 1200;
    d.usage.output = 300;
    out.push_back(d);
  }
  return out;
}

// A task every kind of judge can score: rule checks, an exact reference and a rubric.
inline TaskRecord sample_task() {
  TaskRecord t;
  t.id = "conformance-task-1";
  t.project = "/tmp/conformance-project";
  t.intent = "What is six times seven? Answer with the number.";
  t.reference_kind = ReferenceKind::kExact;
  t.reference = "42";
  t.judge.kind = ReferenceKind::kRule;
  t.judge.checks = {{RuleOp::kContains, "", "42", "", false, {}}, {RuleOp::kMaxWords, "", "20", "", false, {}}};
  t.judge.rubric = "The answer is the number 42.";
  t.tags = {"arithmetic"};
  t.split = Split::kVal;
  return t;
}

inline ReplayResult sample_replay() {
  ReplayResult r;
  r.task_id = "conformance-task-1";
  r.variant = "baseline";
  r.response = "42";
  r.tokens_in = 40;
  r.tokens_out = 2;
  return r;
}

}  // namespace skillpipe::testing::conformance
