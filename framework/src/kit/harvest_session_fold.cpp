// harvest_session_fold.cpp - SessionBuilder: folding a finished turn into the digest, and
// emitting the digest and the resume state (harvest_session.cpp has the events).
#include <algorithm>

#include "harvest_session_turn.hpp"
#include "skillpipe/kit/feedback.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {

using namespace session_detail;

void SessionBuilder::fold(Turn& t) {
  t.usage += t.usage_msg_max;
  t.usage_msg_max = {};
  t.usage_msg.clear();
  if (t.is_prompt) {
    ++turns_seen_;
    if (t.answered) ++answered_turns_;
    trailing_unanswered_ = !t.answered && tail_prompts_.empty() ? trailing_unanswered_ + 1 : 0;
    const std::size_t tail_cap = o_.max_turns / 2, head_cap = o_.max_turns - tail_cap;
    if (d_.user_prompts.size() < head_cap) {
      d_.user_prompts.push_back(std::move(t.prompt));
      d_.assistant_finals.push_back(trim(t.final_text));
    } else if (tail_cap > 0 && tail_prompts_.size() < tail_cap) {
      tail_prompts_.push_back(std::move(t.prompt));
      tail_finals_.push_back(trim(t.final_text));
    } else if (tail_cap > 0) {  // the ring is full: the oldest of the tail goes
      tail_prompts_[tail_start_] = std::move(t.prompt);
      tail_finals_[tail_start_] = trim(t.final_text);
      tail_start_ = (tail_start_ + 1) % tail_cap;
      ++turns_dropped_;
    } else {
      ++turns_dropped_;
    }
  }
  if (!t.is_prompt && t.answered) trailing_unanswered_ = 0;
  // The ending is the last work turn's: a prompt's, or the prelude's when this read began
  // inside a turn; a slash command run afterwards does not change how the work ended.
  if (t.is_prompt || (t.serial == 0 && (t.answered || t.finished))) {
    end_aborted_ = t.aborted;
    end_failed_ = t.failed;
  }
  for (const auto& u : t.tools) add_tool(d_.tools, u.name, u.calls, u.errors);
  const int base = static_cast<int>(d_.commands.size());
  for (auto& c : calls_)
    if (!c->folded && c->turn == t.serial) {
      c->folded = true;
      if (c->command >= 0) c->command += base;
    }
  for (auto& c : t.commands) d_.commands.push_back(std::move(c));
  for (auto& f : t.files) add_unique(d_.files_touched, f);
  for (auto& s : t.skills) add_unique(d_.skills_used, s);
  for (auto& s : t.slash) add_unique(d_.outcome.slash_commands, s);
  d_.outcome.interrupts += t.interrupts;
  d_.outcome.api_errors += t.api_errors;
  folded_orphans_ += t.orphan_errors;
  d_.subagent_calls += t.subagents;
  d_.compactions += t.compactions;
  if (t.last_call) {
    folded_last_call_ = t.last_call;
    folded_last_failed_ = t.last_call_failed;
  }
  d_.usage += t.usage;
  if (t.has_cumulative) {
    max_into(cumulative_, t.cumulative);
    cumulative_seen_ = true;
  }
  if (t.first_ms && (first_ms_ == 0 || t.first_ms < first_ms_)) first_ms_ = t.first_ms;
  end_ms_ = std::max(end_ms_, t.last_ms);
  t = Turn{};  // the turn's memory goes now, not when the file ends
}

void SessionBuilder::emit(FileResult& r) {
  if (d_.user_prompts.empty() && d_.outcome.slash_commands.empty() && d_.tools.empty()) {
    ++counts_["files_without_prompts"];
    return;
  }
  SessionDigest d = std::move(d_);
  d_ = SessionDigest{};
  for (std::size_t i = 0; i < tail_prompts_.size(); ++i) {
    const std::size_t k = (tail_start_ + i) % tail_prompts_.size();
    d.user_prompts.push_back(std::move(tail_prompts_[k]));
    d.assistant_finals.push_back(std::move(tail_finals_[k]));
  }
  d.source = source_;
  d.session_id = session_id_.empty() ? file_stem(job_.file.path) : session_id_;
  d.project = project_;
  d.git_branch = branch_;
  d.git_commit = commit_;
  d.raw_path = job_.file.path;
  d.model = model_;
  d.agent_version = version_;
  d.n_user_turns = static_cast<int>(std::min<std::int64_t>(turns_seen_, std::numeric_limits<int>::max()));
  d.n_assistant_turns = static_cast<int>(std::min<std::int64_t>(answered_turns_, std::numeric_limits<int>::max()));
  if (cumulative_seen_) d.usage += minus(cumulative_, cumulative_before_);
  if (first_ms_) d.started_at = format_iso8601_s(first_ms_);
  if (end_ms_) d.ended_at = format_iso8601_s(end_ms_);
  SessionOutcome& o = d.outcome;
  o.observed = observed_;
  for (const auto& u : d.tools) {
    o.tool_calls = static_cast<int>(std::min<std::int64_t>(std::int64_t{o.tool_calls} + u.calls, std::numeric_limits<int>::max()));
    o.tool_errors = static_cast<int>(std::min<std::int64_t>(std::int64_t{o.tool_errors} + u.errors, std::numeric_limits<int>::max()));
  }
  o.tool_errors += folded_orphans_;
  o.last_tool_failed = folded_last_call_ != 0 && folded_last_failed_;
  o.aborted = end_aborted_;
  o.turn_failed = end_failed_;
  if (!d.assistant_finals.empty() && !d.assistant_finals.back().empty())
    o.final_reports_failure = !failure_statement(d.assistant_finals.back()).empty();
  if (turns_dropped_) d.attrs["turns_dropped"] = std::to_string(turns_dropped_);
  if (job_.resumed) d.attrs["resumed_from_offset"] = std::to_string(job_.offset);
  r.digests.push_back(std::move(d));
}

void SessionBuilder::build(FileResult& r, std::int64_t end_offset, bool cut) {
  Turn& last = cur();
  const std::int64_t age = job_.now_ms - job_.file.mtime_ns / 1000000;
  // Written within settle_minutes (1 min of clock skew allowed): the agent may be mid-turn.
  const bool recent = o_.settle_minutes > 0 && age > -60000 && age < o_.settle_minutes * 60000LL;
  r.end_offset = end_offset;
  // A file cut by max_file_bytes is continued mid-turn next run instead: a turn longer than
  // the budget would otherwise never be read.
  if (job_.incremental && recent && !cut && last.is_prompt && !last.finished) {
    r.end_offset = last.offset;
    r.pending = true;
    ++counts_["turns_held_back"];
    *cur_ = Turn{};
  } else {
    // Settled, and the prompt got nothing at all: the CLI was stopped before it wrote
    // anything (Claude Code leaves only the prompt when interrupted mid-stream).
    if (!recent && last.is_prompt && !last.answered && !last.finished) last.aborted = true;
    fold(last);
  }
  if (turns_dropped_) counts_["turns_dropped"] += turns_dropped_;
  state_["session_id"] = session_id_;
  state_["project"] = project_;
  state_["branch"] = branch_;
  state_["commit"] = commit_;
  state_["model"] = model_;
  state_["version"] = version_;
  if (cumulative_seen_) state_["usage_total"] = usage_text(cumulative_);
  for (auto it = state_.begin(); it != state_.end();) it = it->second.empty() ? state_.erase(it) : std::next(it);
  r.state = state_;
  emit(r);
}

const std::string& SessionBuilder::current_prompt() const { return cur().prompt; }

}  // namespace skillpipe::harvest
