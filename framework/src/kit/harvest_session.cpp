// harvest_session.cpp - SessionBuilder: the bookkeeping every harvester shares.
//
// Memory is per session and bounded by Options (never by the file): the current turn, the
// folded digest (capped lists), the newest turns past the kept head (a ring), the calls
// still waiting for their result (bounded, oldest dropped) and a small ring of recently
// seen ids. Nothing is kept per line. Folding a finished turn into the digest and emitting
// the digest are in harvest_session_fold.cpp.
#include <algorithm>
#include <cstring>
#include <limits>

#include "skillpipe/kit/feedback.hpp"
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"
#include "harvest_session_turn.hpp"

namespace skillpipe::harvest {

using namespace session_detail;

namespace {

constexpr std::size_t kMaxOutstandingCalls = 1024;
constexpr std::size_t kSeenIds = 256;

std::uint64_t fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
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

// A cut can split a secret into parts no detector knows, so what is cut is redacted first; the
// rest of the digest is redacted once it is finished (harvest_driver.cpp).
std::string SessionBuilder::cut(std::string_view text, std::size_t max, const char* counter) {
  std::int64_t n = 0;
  std::string s = redacted_head(text, max, &n);
  if (n) counts_["redactions"] += n;
  if (counter) ++counts_[counter];
  return s;
}

void SessionBuilder::prompt(std::string_view text, std::int64_t offset) {
  open_turn(true, text.size() > o_.max_text_bytes ? cut(text, o_.max_text_bytes, "texts_truncated") : std::string(text),
            offset);
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
  if (t.final_text.size() > o_.max_text_bytes) t.final_text = cut(t.final_text, o_.max_text_bytes, "texts_truncated");
}

void SessionBuilder::final_answer(std::string_view text, int rank) {
  Turn& t = cur();
  t.answered = true;
  if (trim(text).empty() || rank < t.final_rank) return;
  t.final_rank = rank;
  t.final_msg.clear();
  t.final_text = text.size() > o_.max_text_bytes ? cut(text, o_.max_text_bytes, "texts_truncated") : std::string(text);
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
  r.command = cmd.size() > o_.max_command_bytes ? cut(cmd, o_.max_command_bytes, nullptr) : std::string(cmd);
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
