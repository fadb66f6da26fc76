// harvest_session.cpp - SessionBuilder: the bookkeeping every harvester shares.
//
// Memory is per session and bounded by Options (never by the file): the current turn, the
// folded digest (capped lists), the newest turns past the kept head (a ring), the calls
// still waiting for their result (bounded, oldest dropped) and a small ring of recently
// seen ids. Nothing is kept per line.
#include <algorithm>
#include <cstring>
#include <limits>

#include "skillpipe/kit/feedback.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {
namespace {

constexpr std::size_t kMaxOutstandingCalls = 1024;
constexpr std::size_t kSeenIds = 256;

std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

void max_into(TokenUsage& u, const TokenUsage& v) {
  u.input = std::max(u.input, v.input);
  u.output = std::max(u.output, v.output);
  u.cache_read = std::max(u.cache_read, v.cache_read);
  u.cache_write = std::max(u.cache_write, v.cache_write);
}

TokenUsage minus(const TokenUsage& a, const TokenUsage& b) {
  auto d = [](std::int64_t x, std::int64_t y) { return x > y ? x - y : 0; };
  return {d(a.input, b.input), d(a.output, b.output), d(a.cache_read, b.cache_read), d(a.cache_write, b.cache_write)};
}

std::string usage_text(const TokenUsage& u) {
  return std::to_string(u.input) + "," + std::to_string(u.output) + "," + std::to_string(u.cache_read) + "," +
         std::to_string(u.cache_write);
}

TokenUsage usage_from_text(const std::string& s) {
  TokenUsage u;
  std::int64_t* f[] = {&u.input, &u.output, &u.cache_read, &u.cache_write};
  std::size_t i = 0;
  for (const auto& part : split(s, ',')) {
    if (i == 4) break;
    try {
      *f[i] = std::max<std::int64_t>(0, std::stoll(part));
    } catch (const std::exception&) {
      return {};
    }
    ++i;
  }
  return u;
}

bool redacted(std::string_view s) { return s.find("[REDACTED") != std::string_view::npos; }

}  // namespace

bool RecentIds::insert(std::string_view id) { return insert_hash(fnv(id)); }

bool RecentIds::insert_hash(std::uint64_t h) {
  if (count_.count(h)) return false;
  if (order_.size() >= cap_) {
    count_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(h);
  count_.emplace(h, 1);
  return true;
}

bool RecentIds::contains(std::string_view id) const { return count_.count(fnv(id)) > 0; }

struct SessionBuilder::Turn {
  std::uint64_t serial = 0;
  bool is_prompt = false;
  std::string prompt;
  std::int64_t offset = 0;
  std::string final_text;
  std::string final_msg;          // message id of the final candidate
  int final_rank = std::numeric_limits<int>::min();
  bool answered = false, finished = false, failed = false, aborted = false;
  int interrupts = 0, api_errors = 0, orphan_errors = 0, subagents = 0, compactions = 0;
  std::vector<ToolUse> tools;
  std::vector<CommandRun> commands;
  std::vector<std::string> files, skills, slash;
  TokenUsage usage;               // summed per-call usage of finished messages
  std::string usage_msg;          // the message whose usage is being maxed
  TokenUsage usage_msg_max;
  TokenUsage cumulative;
  bool has_cumulative = false;
  std::int64_t last_call = 0;     // the turn's newest call and whether it failed
  bool last_call_failed = false;
  std::int64_t first_ms = 0, last_ms = 0;
};

struct SessionBuilder::Call {
  std::size_t id = 0;
  std::uint64_t key = 0;          // hash of the call id ("" -> 0, untracked)
  std::string name;
  std::uint64_t turn = 0;         // serial of the turn that made it
  int command = -1;               // index into that turn's (or, once folded, the digest's) commands
  bool folded = false;
};

SessionBuilder::SessionBuilder(const FileJob& job, const Options& options, std::string_view source)
    : job_(job), o_(options), source_(source), state_(job.state) {
  auto get = [&](const char* k) {
    auto it = job.state.find(k);
    return it == job.state.end() ? std::string() : it->second;
  };
  session_id_ = get("session_id");
  project_ = get("project");
  // A working directory that was redacted before it was stored is re-learned from the records.
  if (redacted(project_)) project_.clear();
  project_known_ = !project_.empty();
  branch_ = get("branch");
  commit_ = get("commit");
  model_ = get("model");
  version_ = get("version");
  if (auto u = get("usage_total"); !u.empty()) {
    cumulative_before_ = usage_from_text(u);
    cumulative_ = cumulative_before_;
  }
  cur_ = std::make_unique<Turn>();
  cur_->offset = job.offset;  // the prelude: what precedes the first prompt of this read
}

SessionBuilder::~SessionBuilder() = default;

void SessionBuilder::session_id(std::string_view id, bool replace) {
  if ((session_id_.empty() || replace) && !id.empty()) session_id_ = id;
}

bool SessionBuilder::project(std::string_view cwd, bool replace) {
  if ((!project_known_ || replace) && !cwd.empty()) {
    project_ = cwd;
    project_known_ = true;
  }
  return !project_known_ || o_.in_scope(project_);
}

void SessionBuilder::branch(std::string_view b) {
  if (!b.empty() && b != "HEAD") branch_ = b;
}
void SessionBuilder::commit(std::string_view c) {
  if (commit_.empty() && !c.empty()) commit_ = c;
}
void SessionBuilder::model(std::string_view m) {
  if (!m.empty() && m != model_) model_ = m;
}
void SessionBuilder::agent_version(std::string_view v) {
  if (!v.empty() && v != version_) version_ = v;
}

bool SessionBuilder::at(std::int64_t ms) {
  if (ms > 0) last_ms_ = ms;
  if (job_.cutoff_ms > 0 && last_ms_ < job_.cutoff_ms) {
    ++counts_["records_before_window"];
    return false;
  }
  Turn& t = cur();
  if (last_ms_ > 0) {
    if (t.first_ms == 0 || last_ms_ < t.first_ms) t.first_ms = last_ms_;
    t.last_ms = std::max(t.last_ms, last_ms_);
  }
  return true;
}

bool SessionBuilder::in_window(std::int64_t ms) {
  if (job_.cutoff_ms > 0 && (ms > 0 ? ms : last_ms_) < job_.cutoff_ms) {
    ++counts_["records_before_window"];
    return false;
  }
  return true;
}

std::int64_t SessionBuilder::forget_unanswered_prompts() {
  std::int64_t off = -1;
  Turn& t = cur();
  if (t.is_prompt && !t.answered && !t.finished) {
    off = t.offset;
    t.is_prompt = false;  // what is left of it (times) belongs to the next prompt's prelude
    t.prompt.clear();
  }
  for (; trailing_unanswered_ > 0 && !d_.user_prompts.empty(); --trailing_unanswered_) {
    d_.user_prompts.pop_back();
    d_.assistant_finals.pop_back();
    --turns_seen_;
  }
  trailing_unanswered_ = 0;
  return off;
}

void SessionBuilder::open_turn(bool is_prompt, std::string text, std::int64_t offset) {
  Turn& old = cur();
  // Fold the finished turn; the new one is the candidate for holding back.
  auto next = std::make_unique<Turn>();
  next->serial = old.serial + 1;
  next->is_prompt = is_prompt;
  next->prompt = std::move(text);
  next->offset = offset;
  if (last_ms_ > 0) next->first_ms = next->last_ms = last_ms_;
  fold(old);
  cur_ = std::move(next);
}

void SessionBuilder::prompt(std::string_view text, std::int64_t offset) {
  std::string p(text);
  if (p.size() > o_.max_text_bytes) {
    p = truncate_utf8(p, o_.max_text_bytes);
    ++counts_["texts_truncated"];
  }
  open_turn(true, std::move(p), offset);
}

void SessionBuilder::command_turn(std::string_view slash_command, std::int64_t offset) {
  open_turn(false, {}, offset);
  if (!slash_command.empty()) add_unique(cur().slash, slash_command);
}

void SessionBuilder::answered() { cur().answered = true; }

void SessionBuilder::answer_text(std::string_view text, std::string_view message_id) {
  Turn& t = cur();
  t.answered = true;
  if (message_id.empty() || message_id != t.final_msg) {
    t.final_msg = message_id;
    t.final_text.clear();
    t.final_rank = std::numeric_limits<int>::min();
  }
  if (text.empty()) return;
  if (t.final_text.size() >= o_.max_text_bytes) return;  // already full: cut below
  if (!t.final_text.empty()) t.final_text += "\n\n";
  t.final_text.append(text);
  if (t.final_text.size() > o_.max_text_bytes) {
    t.final_text = truncate_utf8(t.final_text, o_.max_text_bytes);
    ++counts_["texts_truncated"];
  }
}

void SessionBuilder::final_answer(std::string_view text, int rank) {
  Turn& t = cur();
  t.answered = true;
  if (trim(text).empty() || rank < t.final_rank) return;
  t.final_rank = rank;
  t.final_msg.clear();
  t.final_text = text.size() > o_.max_text_bytes ? truncate_utf8(text, o_.max_text_bytes) : std::string(text);
  if (text.size() > o_.max_text_bytes) ++counts_["texts_truncated"];
}

void SessionBuilder::turn_finished() { cur().finished = true; }

CallRef SessionBuilder::tool_call(std::string_view name, std::string_view call_id) {
  if (name.empty()) return {};
  Turn& t = cur();
  // A resumed session's copied records repeat a call's id: count each call once.
  std::uint64_t key = call_id.empty() ? 0 : fnv(call_id);
  if (key) {
    if (std::find(seen_ids_.begin(), seen_ids_.end(), key) != seen_ids_.end()) return {};
    if (seen_ids_.size() >= kSeenIds) seen_ids_.erase(seen_ids_.begin());
    seen_ids_.push_back(key);
  }
  t.answered = true;
  bool known = std::any_of(t.tools.begin(), t.tools.end(), [&](const ToolUse& u) { return u.name == name; }) ||
               std::any_of(d_.tools.begin(), d_.tools.end(), [&](const ToolUse& u) { return u.name == name; });
  if (known || d_.tools.size() + t.tools.size() < o_.max_tools) add_tool(t.tools, name);
  else ++counts_["tools_dropped"];
  auto c = std::make_unique<Call>();
  c->id = next_call_++;
  c->key = key;
  c->name = name;
  c->turn = t.serial;
  t.last_call = static_cast<std::int64_t>(c->id);
  t.last_call_failed = false;
  CallRef ref{c->id};
  if (calls_.size() >= kMaxOutstandingCalls) calls_.erase(calls_.begin());  // never answered
  calls_.push_back(std::move(c));
  return ref;
}

void SessionBuilder::command(CallRef call, std::string_view command_line) {
  std::string_view cmd = command_line;
  while (!cmd.empty() && (cmd.back() == '\n' || cmd.back() == ' ')) cmd.remove_suffix(1);
  if (cmd.empty()) return;
  Turn& t = cur();
  if (d_.commands.size() + t.commands.size() >= o_.max_commands) {
    ++counts_["commands_dropped"];
    return;
  }
  CommandRun r;
  r.command = cmd.size() > o_.max_command_bytes ? truncate_utf8(cmd, o_.max_command_bytes) : std::string(cmd);
  t.commands.push_back(std::move(r));
  if (call.id == 0) return;
  for (auto& c : calls_)
    if (c->id == call.id) c->command = static_cast<int>(t.commands.size()) - 1;
}

SessionBuilder::Call* SessionBuilder::find_call(std::string_view id) {
  if (id.empty()) return nullptr;
  std::uint64_t key = fnv(id);
  for (auto it = calls_.rbegin(); it != calls_.rend(); ++it)
    if ((*it)->key == key) return it->get();
  return nullptr;
}

bool SessionBuilder::has_call(std::string_view call_id) const {
  if (call_id.empty()) return false;
  const std::uint64_t key = fnv(call_id);
  return std::any_of(calls_.begin(), calls_.end(), [&](const auto& c) { return c->key == key; });
}

bool SessionBuilder::answered_call(std::string_view call_id) const {
  return !call_id.empty() && answered_.contains(call_id);
}

void SessionBuilder::tool_result(std::string_view call_id, bool failed, std::optional<int> exit_code) {
  // A second report of the same result (an event and the output item) counts once.
  if (answered_call(call_id)) return;
  Call* c = find_call(call_id);
  if (!c) {
    // Its call was read in an earlier run (or dropped): still evidence of how the turn went.
    if (failed) ++cur().orphan_errors;
    return;
  }
  tool_result(CallRef{c->id}, failed, exit_code);
}

void SessionBuilder::tool_result(CallRef ref, bool failed, std::optional<int> exit_code) {
  auto it = std::find_if(calls_.begin(), calls_.end(), [&](const auto& c) { return c->id == ref.id; });
  if (it == calls_.end()) {
    if (failed) ++cur().orphan_errors;
    return;
  }
  Call& c = **it;
  Turn& t = cur();
  bool in_current = !c.folded && c.turn == t.serial;
  std::vector<ToolUse>& tools = in_current ? t.tools : d_.tools;
  std::vector<CommandRun>& cmds = in_current ? t.commands : d_.commands;
  if (failed) {
    auto u = std::find_if(tools.begin(), tools.end(), [&](const ToolUse& x) { return x.name == c.name; });
    if (u != tools.end()) ++u->errors;
    else if (in_current) ++t.orphan_errors;
    else ++folded_orphans_;
  }
  if (c.command >= 0 && static_cast<std::size_t>(c.command) < cmds.size()) {
    CommandRun& r = cmds[static_cast<std::size_t>(c.command)];
    r.failed = failed;
    r.exit_code = exit_code ? exit_code : (failed ? std::nullopt : std::optional<int>(0));
  }
  if (in_current && t.last_call == static_cast<std::int64_t>(c.id)) t.last_call_failed = failed;
  if (!in_current && folded_last_call_ == static_cast<std::int64_t>(c.id)) folded_last_failed_ = failed;
  if (c.key) answered_.insert_hash(c.key);
  calls_.erase(it);  // answered: nothing more will come for it
}

void SessionBuilder::file_touched(std::string_view path) {
  if (path.empty()) return;
  std::string p(path);
  if (p[0] != '/' && !project_.empty() && project_[0] == '/') p = project_ + "/" + p;
  Turn& t = cur();
  if (std::find(t.files.begin(), t.files.end(), p) != t.files.end() ||
      std::find(d_.files_touched.begin(), d_.files_touched.end(), p) != d_.files_touched.end())
    return;
  if (d_.files_touched.size() + t.files.size() >= o_.max_files) {
    ++counts_["files_dropped"];
    return;
  }
  t.files.push_back(std::move(p));
}

void SessionBuilder::skill_used(std::string_view name) {
  if (cur().skills.size() + d_.skills_used.size() < 256) add_unique(cur().skills, name);
}
void SessionBuilder::subagent_call() { ++cur().subagents; }

void SessionBuilder::add_usage(const TokenUsage& u, std::string_view message_id) {
  Turn& t = cur();
  if (message_id.empty()) {
    t.usage += u;
    return;
  }
  if (message_id != t.usage_msg) {
    // Lines of one response are consecutive: the previous response's max is final now. A
    // response seen recently (a resumed copy) is not counted twice.
    t.usage += t.usage_msg_max;
    t.usage_msg_max = {};
    t.usage_msg = message_id;
    std::uint64_t key = fnv(message_id) ^ 0x9e3779b97f4a7c15ull;
    if (std::find(seen_ids_.begin(), seen_ids_.end(), key) != seen_ids_.end()) {
      t.usage_msg = "\x01";  // ignore the rest of this copy
      return;
    }
    if (seen_ids_.size() >= kSeenIds) seen_ids_.erase(seen_ids_.begin());
    seen_ids_.push_back(key);
  }
  if (t.usage_msg != "\x01") max_into(t.usage_msg_max, u);
}

void SessionBuilder::cumulative_usage(const TokenUsage& total) {
  Turn& t = cur();
  max_into(t.cumulative, total);
  t.has_cumulative = true;
}

void SessionBuilder::api_error(bool ends_turn) {
  Turn& t = cur();
  ++t.api_errors;
  if (ends_turn) {
    t.failed = true;
    t.finished = true;
  }
}
void SessionBuilder::turn_failed() {
  cur().failed = true;
  cur().finished = true;
}
void SessionBuilder::interrupted() {
  ++cur().interrupts;
  cur().aborted = true;
  cur().finished = true;
}
void SessionBuilder::aborted() {
  cur().aborted = true;
  cur().finished = true;
}
void SessionBuilder::compaction() { ++cur().compactions; }

}  // namespace skillpipe::harvest

namespace skillpipe::harvest {

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

}  // namespace skillpipe::harvest

namespace skillpipe::harvest {
const std::string& SessionBuilder::current_prompt() const { return cur().prompt; }
}  // namespace skillpipe::harvest
