#include "replay_request.hpp"

#include <algorithm>

#include "request_text.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_agent {

void collect_checks(const std::vector<RuleCheck>& checks, std::vector<std::string>& out) {
  for (const auto& c : checks) {
    if (c.op == RuleOp::kCheckCommand && std::find(out.begin(), out.end(), c.arg) == out.end()) out.push_back(c.arg);
    collect_checks(c.children, out);
  }
}

std::string prompt_of(const TaskRecord& t) {
  std::string p = std::string(backend_common::kReplayMarker) + "\n" + t.intent;
  if (!t.context_excerpt.empty()) p += "\n\nContext:\n" + t.context_excerpt;
  if (!t.system.empty()) p += "\n\n" + t.system;
  return redact_secrets(p);
}

SourceHint hint_of(const TaskRecord& t) { return {t.start.commit, t.start.branch, t.start.at}; }

ReplayDocs docs_of(const ReplaySetup& rs) {
  const std::string name =
      !rs.skill_name.empty() ? rs.skill_name : rs.skill_text.empty() ? std::string() : skill_name_of(rs.skill_text);
  return {name, rs.skill_text, rs.memory_text};
}

std::string request_key(const ChatRequest& r) {
  if (!r.replay) return {};
  return sha256_hex(r.replay->task.id + "\n" + std::to_string(r.sample) + "\n" + documents_hash(docs_of(*r.replay)));
}

ReplayJob job_of(const ReplaySetup& rs, const backend_common::PreparedCall& call, int attempt, const StartPoint& start) {
  ReplayJob job;
  job.id = sha256_hex(call.cache_material).substr(0, 16) + "-" + std::to_string(attempt);
  job.prompt = call.payload;
  job.project = rs.task.project;
  job.hint = hint_of(rs.task);
  job.start = start;
  job.docs = docs_of(rs);
  collect_checks(rs.task.judge.checks, job.checks);
  return job;
}

}  // namespace skillpipe::backend_agent
