// codex_parser.cpp - streams one Codex rollout into a SessionDigest.
//
// Eras are decided per line: the {timestamp,type,payload} envelope, or the older bare
// header + ResponseItem lines. A prompt can appear on three channels (event_msg/user_message,
// event_msg/item_completed UserMessage in paginated history, response_item/message
// role=user); the file's events are kept in order and the most authoritative channel present
// decides the turns, so each prompt counts once. Big payloads (function outputs, reasoning,
// compacted history) are skipped without decoding.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <set>

#include "codex_parser.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::codex {
namespace {

using harvest::JsonView;

enum class Kind {
  kPromptEvent,   // event_msg/user_message
  kPromptItem,    // event_msg/item_completed UserMessage
  kPromptRi,      // response_item/message role=user
  kFinal,         // a candidate final answer (rank says how authoritative)
  kTool,
  kToolError,     // a failed call of the tool named in `text`
  kFile,
  kTokens,
  kActivity,      // any other model activity inside a turn
};

struct Event {
  Kind kind;
  std::string text;             // prompt / final text, tool name, file path
  int rank = 0;                 // finals: higher wins
  std::int64_t ms = 0;
  std::int64_t offset = 0;
  TokenUsage tokens;            // kTokens: cumulative totals
};

// Final-answer candidates, most authoritative first (notes §2.8).
constexpr int kRankTaskComplete = 7, kRankAgentFinalPhase = 6, kRankAgent = 5, kRankItemFinalPhase = 4,
              kRankItem = 3, kRankRiFinalPhase = 2, kRankRi = 1;

constexpr std::array<std::string_view, 8> kEnvelopeKinds = {
    "session_meta", "turn_context", "response_item", "event_msg", "compacted", "world_state",
    "inter_agent_communication", "inter_agent_communication_metadata"};

constexpr std::array<std::string_view, 16> kResponseItemTypes = {
    "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "web_search_call", "image_generation_call",
    "tool_search_call", "tool_search_output", "ghost_snapshot", "compaction", "context_compaction",
    "agent_message", "additional_tools"};

struct Meta {
  std::string id, cwd, originator, cli_version, source, branch, history_mode;
  bool subagent = false;
  std::int64_t ms = 0;
};

// The thread id at the end of a rollout file name: rollout-<time>-<uuid>.jsonl[.zst].
std::string file_uuid(const std::string& path) {
  std::size_t s = path.rfind('/');
  std::string name = path.substr(s == std::string::npos ? 0 : s + 1);
  for (std::string_view ext : {".zst", ".jsonl", ".json"})
    if (ends_with(name, ext)) name.resize(name.size() - ext.size());
  return name.size() >= 36 ? name.substr(name.size() - 36) : name;
}

class Parser {
 public:
  Parser(const harvest::FileJob& job, const harvest::Options& o) : job_(job), o_(o) {
    file_id_ = file_uuid(job.file.path);
  }

  harvest::FileResult run() {
    harvest::FileResult r;
    harvest::LineReader reader(o_.max_line_bytes);
    if (!reader.open(job_.file.path, job_.file.zstd, job_.offset, &r.error)) return r;
    if (reader.short_of_offset()) {
      r.offset_beyond_end = true;
      return r;
    }
    // A sub-agent rollout stays one: the rest of the file is not read at all. Sub-agent
    // rollouts can be most of a Codex home's bytes.
    if (job_.state.count("skip") && job_.state.at("skip") == "subagent") {
      r.state = job_.state;
      r.skip_reason = "subagent";
      r.end_offset = job_.file.zstd ? job_.offset : job_.file.size;
      return r;
    }
    harvest::Line line;
    while (reader.next(line)) {
      if (own_subagent_meta() && !job_.file.zstd) {
        reader_stopped_ = true;
        break;
      }
      JsonView rec = JsonView::parse(line.text);
      if (!line.terminated) {
        if (!rec.is_object()) break;  // torn write: retried next run
        reader.accept_tail();
      }
      if (!rec.valid()) {
        ++counts_["bad_lines"];
        continue;
      }
      if (!rec.is_object()) {
        ++counts_["non_object_lines"];
        continue;
      }
      offset_ = line.offset;
      record(rec);
    }
    if (!reader.read_error().empty()) r.error = reader.read_error();
    if (reader.torn_tail()) {
      ++counts_["torn_tail"];
      r.pending = true;
    }
    counts_["oversize_lines"] += reader.oversize_lines();
    counts_["lines"] += reader.lines();
    counts_["bytes"] += reader.bytes_read();
    r.end_offset = reader_stopped_ ? job_.file.size : reader.end_offset();
    build(r);
    counts_["utf8_repaired"] += repairs_;
    for (auto& [k, v] : counts_)
      if (v) r.counts[k] += v;
    return r;
  }

 private:
  std::string s(const JsonView& v) { return v.is_string() ? v.str(&repairs_) : std::string(); }

  void stamp(const JsonView& ts) {
    if (!ts.is_string()) return;
    if (auto ms = parse_iso8601_ms(ts.str_raw())) last_ms_ = *ms;
    else ++counts_["bad_timestamps"];
  }

  bool active() const { return job_.cutoff_ms <= 0 || last_ms_ >= job_.cutoff_ms; }

  void push(Kind k, std::string text, int rank = 0) {
    if (!active()) {
      ++counts_["records_before_window"];
      return;
    }
    events_.push_back(Event{k, std::move(text), rank, last_ms_, offset_, {}});
  }

  void record(const JsonView& rec) {
    JsonView f[5];
    rec.get({"type", "payload", "timestamp", "record_type", "id"}, f);
    if (f[1].is_object() && f[0].is_string()) {  // the envelope (Sept 2025 on)
      stamp(f[2]);
      std::string_view kind = f[0].str_raw();
      if (kind == "session_meta") on_meta(f[1]);
      else if (kind == "response_item") on_item(f[1]);
      else if (kind == "event_msg") on_event(f[1]);
      else if (kind == "turn_context") on_turn_context(f[1]);
      else if (kind == "compacted") ++compacted_;  // replacement_history repeats old prompts
      else if (std::find(kEnvelopeKinds.begin(), kEnvelopeKinds.end(), kind) == kEnvelopeKinds.end())
        ++counts_["unknown_records"];
      return;
    }
    if (f[3].valid()) return;  // legacy {"record_type":"state"} marker
    if (!f[0].valid() && !f[1].valid() && f[4].is_string() && f[2].is_string()) {
      stamp(f[2]);  // legacy header {id, timestamp, instructions, git?, cwd?}
      on_meta(rec);
      return;
    }
    if (f[0].is_string() &&
        std::find(kResponseItemTypes.begin(), kResponseItemTypes.end(), f[0].str_raw()) != kResponseItemTypes.end()) {
      on_item(rec);  // legacy bare ResponseItem: no timestamp, keeps the last one seen
      return;
    }
    ++counts_["unknown_records"];
  }

  void on_meta(const JsonView& p) {
    JsonView m[9];
    p.get({"id", "cwd", "originator", "cli_version", "source", "thread_source", "git", "history_mode", "timestamp"}, m);
    Meta meta;
    meta.id = s(m[0]);
    meta.cwd = s(m[1]);
    meta.originator = s(m[2]);
    meta.cli_version = s(m[3]);
    meta.ms = last_ms_;
    if (m[8].is_string())
      if (auto t = parse_iso8601_ms(m[8].str_raw())) meta.ms = *t;
    if (m[4].is_string()) {
      meta.source = s(m[4]);
    } else if (m[4].is_object()) {  // {"subagent": ...} or {"custom": "..."}
      JsonView sub = m[4]["subagent"];
      meta.subagent = sub.valid();
      meta.source = sub.valid() ? "subagent" : "custom";
    }
    if (m[5].str_eq("subagent") || m[5].str_eq("memory_consolidation")) meta.subagent = true;
    if (m[6].is_object()) meta.branch = s(m[6]["branch"]);
    meta.history_mode = s(m[7]);
    metas_.push_back(std::move(meta));
  }

  void on_turn_context(const JsonView& p) {
    JsonView f[2];
    p.get({"cwd", "model"}, f);
    if (f[0].is_string() && turn_cwd_.empty()) turn_cwd_ = s(f[0]);
    if (f[1].is_string()) model_ = s(f[1]);
  }

  std::string join_texts(const JsonView& content, std::string_view want_type) {
    std::string out;
    if (content.is_string()) return s(content);
    auto it = content.iter();
    JsonView c;
    while (it.next(c)) {
      if (!c.is_object()) continue;
      JsonView b[2];
      c.get({"type", "text"}, b);
      if (!b[1].is_string() || (!want_type.empty() && !b[0].str_eq(want_type) && !b[0].str_eq("text") &&
                                !b[0].str_eq("Text")))
        continue;
      if (!out.empty()) out += "\n";
      b[1].append_str(out, &repairs_);
    }
    return out;
  }

  void on_item(const JsonView& p) {
    JsonView f[9];
    p.get({"type", "role", "content", "name", "arguments", "input", "action", "phase", "call_id"}, f);
    if (!f[0].is_string()) {
      ++counts_["malformed_records"];
      return;
    }
    std::string_view type = f[0].str_raw();
    if (type == "message") {
      if (f[1].str_eq("user")) {
        std::string text = join_texts(f[2], "input_text");
        if (std::string sk = skill_name(text); !sk.empty()) push(Kind::kTool, "skill:" + sk);
        push(Kind::kPromptRi, std::move(text));
      } else if (f[1].str_eq("assistant")) {
        std::string text = join_texts(f[2], "output_text");
        if (!text.empty()) push(Kind::kFinal, std::move(text), f[7].str_eq("final_answer") ? kRankRiFinalPhase : kRankRi);
      }
      return;  // developer/system: instructions, not the user
    }
    if (type == "function_call" || type == "custom_tool_call") {
      std::string name = s(f[3]);
      if (f[8].is_string()) call_names_[s(f[8])] = name;  // its *_end event names only the call id
      push(Kind::kTool, name);
      if (type == "custom_tool_call") {
        if (f[5].is_string()) files_from(harvest::patch_paths(s(f[5])));
      } else if (f[4].is_string()) {
        files_from_arguments(name, s(f[4]));
      }
      return;
    }
    if (type == "local_shell_call") {
      push(Kind::kTool, "shell");
      if (f[6].is_object()) files_from_argv(f[6]["command"]);
      return;
    }
    if (type == "web_search_call") {
      push(Kind::kTool, "web_search");
      return;
    }
    if (type == "function_call_output" || type == "custom_tool_call_output" || type == "reasoning")
      push(Kind::kActivity, {});
  }

  void files_from(const std::vector<std::string>& paths) {
    for (const auto& p : paths) push(Kind::kFile, p);
  }

  void files_from_argv(const JsonView& argv) {
    if (argv.is_string()) {
      files_from(patch_paths_in_command(s(argv)));
      return;
    }
    auto it = argv.iter();
    JsonView a;
    while (it.next(a))
      if (a.is_string() && (a.raw().find("apply_patch") != std::string_view::npos ||
                            a.raw().find("*** Begin Patch") != std::string_view::npos))
        files_from(harvest::patch_paths(s(a)));
  }

  // function_call arguments are a JSON string: shell {"command":[...]}, exec_command
  // {"cmd":"..."}, apply_patch {"input":"..."} (or the raw patch).
  void files_from_arguments(const std::string& name, const std::string& args) {
    if (args.find("*** ") == std::string::npos) return;
    JsonView a = JsonView::parse(args);
    if (!a.is_object()) {
      if (name == "apply_patch") files_from(harvest::patch_paths(args));
      return;
    }
    JsonView f[4];
    a.get({"command", "cmd", "input", "patch"}, f);
    if (f[0].valid()) files_from_argv(f[0]);
    if (f[1].is_string()) files_from(patch_paths_in_command(s(f[1])));
    for (int i : {2, 3})
      if (f[i].is_string()) files_from(harvest::patch_paths(s(f[i])));
  }

  void on_event(const JsonView& p) {
    JsonView f[6];
    p.get({"type", "message", "last_agent_message", "info", "item", "phase"}, f);
    if (!f[0].is_string()) {
      ++counts_["malformed_records"];
      return;
    }
    std::string_view type = f[0].str_raw();
    if (type == "user_message") {
      ended_aborted_ = false;
      push(Kind::kPromptEvent, s(f[1]));
    } else if (type == "agent_message") {
      if (f[1].is_string()) push(Kind::kFinal, s(f[1]), f[5].str_eq("final_answer") ? kRankAgentFinalPhase : kRankAgent);
    } else if (type == "task_complete" || type == "turn_complete") {
      if (f[2].is_string()) push(Kind::kFinal, s(f[2]), kRankTaskComplete);
    } else if (type == "token_count") {
      on_tokens(f[3]);
    } else if (type == "item_completed") {
      on_turn_item(f[4]);
    } else if (type == "turn_aborted") {
      ++interrupts_;
      ended_aborted_ = true;
    } else if (type == "exec_command_end") {
      // A failed command is evidence for the offline success judge.
      if (p["exit_code"].as_int(0) != 0) tool_failed(p["call_id"]);
    } else if (type == "context_compacted") {
      ++compacted_events_;
    } else if (type == "patch_apply_end") {
      if (!p["success"].as_bool(true)) tool_failed(p["call_id"]);
      JsonView changes = p["changes"];
      auto it = changes.iter();
      JsonView k, v;
      while (it.next(k, v)) push(Kind::kFile, s(k));
    }
  }

  // Counts a failed call, and charges it to its tool when the call was seen.
  void tool_failed(const JsonView& call_id) {
    ++tool_errors_;
    if (!call_id.is_string()) return;
    const auto it = call_names_.find(s(call_id));
    if (it != call_names_.end()) push(Kind::kToolError, it->second);
  }

  void on_turn_item(const JsonView& item) {
    if (!item.is_object()) return;
    JsonView f[3];
    item.get({"type", "content", "phase"}, f);
    if (f[0].str_eq("UserMessage")) push(Kind::kPromptItem, join_texts(f[1], ""));
    else if (f[0].str_eq("AgentMessage"))
      push(Kind::kFinal, join_texts(f[1], ""), f[2].str_eq("final_answer") ? kRankItemFinalPhase : kRankItem);
  }

  void on_tokens(const JsonView& info) {
    if (!info.is_object()) return;  // info is null before the first response
    JsonView total = info["total_token_usage"];
    if (!total.is_object()) return;
    JsonView u[3];
    total.get({"input_tokens", "cached_input_tokens", "output_tokens"}, u);
    Event e{Kind::kTokens, {}, 0, last_ms_, offset_, {}};
    std::int64_t cached = u[1].as_int();
    e.tokens.cache_read = cached;
    e.tokens.input = std::max<std::int64_t>(0, u[0].as_int() - cached);  // cached is part of input
    e.tokens.output = u[2].as_int();
    if (active()) events_.push_back(std::move(e));
  }

  // The file's own session_meta (id = the file's thread id) marks it a sub-agent rollout.
  bool own_subagent_meta() const {
    return !metas_.empty() && metas_.back().subagent && metas_.back().id == file_id_;
  }

  const Meta* chosen_meta() const {
    for (const auto& m : metas_)
      if (m.id == file_id_) return &m;
    return metas_.empty() ? nullptr : &metas_.front();
  }

  struct Turn {
    std::string prompt;
    std::int64_t offset = 0;
    std::string final_text;
    int final_rank = 0;
    bool answered = false;
  };

  void build(harvest::FileResult& r) {
    Attrs& st = r.state;
    st = job_.state;
    const Meta* meta = chosen_meta();
    if (meta) {
      st["session_id"] = meta->id;
      if (!meta->cwd.empty()) st["project"] = meta->cwd;
      if (!meta->branch.empty()) st["branch"] = meta->branch;
      if (!meta->originator.empty()) st["originator"] = meta->originator;
      if (!meta->cli_version.empty()) st["cli_version"] = meta->cli_version;
      if (!meta->source.empty()) st["source"] = meta->source;
      if (meta->subagent) r.skip_reason = "subagent";
    }
    if (st["project"].empty() && !turn_cwd_.empty()) st["project"] = turn_cwd_;
    if (st.count("skip") && st["skip"] == "subagent") r.skip_reason = "subagent";
    // The most authoritative prompt channel present decides the turns (and stays decided).
    std::string channel = st["channel"];
    if (channel.empty()) {
      auto has = [&](Kind k) {
        return std::any_of(events_.begin(), events_.end(), [k](const Event& e) { return e.kind == k; });
      };
      channel = has(Kind::kPromptEvent) ? "event" : has(Kind::kPromptItem) ? "item" : has(Kind::kPromptRi) ? "response" : "";
      if (!channel.empty()) st["channel"] = channel;
    }
    Kind prompt_kind = channel == "event" ? Kind::kPromptEvent : channel == "item" ? Kind::kPromptItem : Kind::kPromptRi;

    std::vector<Turn> turns(1);  // [0]: the part of a turn begun before this read
    turns[0].offset = job_.offset;
    std::vector<std::vector<ToolUse>> tools(1);
    std::vector<std::vector<std::string>> files(1);
    std::vector<TokenUsage> tokens_at(1);  // the newest cumulative total seen in each turn
    std::vector<std::int64_t> first_ms(1, 0), last_ms(1, 0);
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (auto& e : events_) {
      std::size_t t = turns.size() - 1;
      if (e.kind == prompt_kind) {
        std::string p = clean_prompt(e.text);
        if (p.empty()) continue;  // a preamble
        if (!seen.insert({p, e.ms}).second) {  // a fork's copy of its parent's prompt
          ++counts_["duplicate_prompts"];
          continue;
        }
        turns.push_back(Turn{std::move(p), e.offset, {}, 0, false});
        tools.emplace_back();
        files.emplace_back();
        tokens_at.push_back(tokens_at.back());
        first_ms.push_back(e.ms);
        last_ms.push_back(e.ms);
        continue;
      }
      if (e.ms) {
        if (!first_ms[t] || e.ms < first_ms[t]) first_ms[t] = e.ms;
        last_ms[t] = std::max(last_ms[t], e.ms);
      }
      switch (e.kind) {
        case Kind::kFinal:
          turns[t].answered = true;
          if (e.rank >= turns[t].final_rank && !trim(e.text).empty()) {
            turns[t].final_text = std::move(e.text);
            turns[t].final_rank = e.rank;
          }
          break;
        case Kind::kTool:
          turns[t].answered = true;
          harvest::add_tool(tools[t], e.text);
          break;
        case Kind::kToolError: harvest::add_tool(tools[t], e.text, 0, 1); break;
        case Kind::kFile: harvest::add_unique(files[t], e.text); break;
        case Kind::kTokens: tokens_at[t] = e.tokens; break;
        case Kind::kActivity: turns[t].answered = true; break;
        default: break;
      }
    }
    // A rollout written moments ago may be mid-turn: hold its last turn for the next run.
    std::size_t n = turns.size();
    std::int64_t age = job_.now_ms - job_.file.mtime_ns / 1000000;
    bool live = job_.incremental && o_.settle_minutes > 0 && age > -60000 && age < o_.settle_minutes * 60000LL;  // 1 min of clock skew
    if (live && n > 1) {
      r.end_offset = turns.back().offset;
      --n;
      ++counts_["turns_held_back"];
      r.pending = true;
    }
    if (!r.skip_reason.empty()) return;

    SessionDigest d;
    d.source = "codex";
    d.session_id = st["session_id"].empty() ? file_id_ : st["session_id"];
    d.project = st["project"];
    d.git_branch = st["branch"];
    d.raw_path = job_.file.path;
    std::int64_t first = 0, last = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) {
        d.user_prompts.push_back(std::move(turns[i].prompt));
        d.assistant_finals.push_back(trim(turns[i].final_text));
        if (turns[i].answered) ++d.n_assistant_turns;
      }
      for (const auto& t : tools[i]) {
        if (starts_with(t.name, "skill:")) harvest::add_unique(d.skills_used, t.name.substr(6));
        else harvest::add_tool(d.tools, t.name, t.calls, t.errors);
      }
      for (auto& f : files[i]) {
        bool relative = !f.empty() && f[0] != '/' && !d.project.empty() && d.project[0] == '/';
        harvest::add_unique(d.files_touched, relative ? d.project + "/" + f : f);
      }
      if (first_ms[i] && (!first || first_ms[i] < first)) first = first_ms[i];
      last = std::max(last, last_ms[i]);
    }
    if (d.user_prompts.empty()) {
      ++r.counts["files_without_prompts"];
      return;
    }
    // Token totals are cumulative per thread: this read's share is the growth since the
    // total the cursor remembers.
    TokenUsage total = tokens_at[n - 1], before;
    before.input = std::atoll(st["tok_in"].c_str());
    before.cache_read = std::atoll(st["tok_cached"].c_str());
    before.output = std::atoll(st["tok_out"].c_str());
    if (total.input + total.output + total.cache_read > 0) {
      d.usage.input = std::max<std::int64_t>(0, total.input - before.input);
      d.usage.cache_read = std::max<std::int64_t>(0, total.cache_read - before.cache_read);
      d.usage.output = std::max<std::int64_t>(0, total.output - before.output);
      st["tok_in"] = std::to_string(total.input);
      st["tok_cached"] = std::to_string(total.cache_read);
      st["tok_out"] = std::to_string(total.output);
    }
    d.n_user_turns = static_cast<int>(d.user_prompts.size());
    if (meta && meta->ms && !job_.resumed && (!first || meta->ms < first) && job_.cutoff_ms <= 0) first = meta->ms;
    if (first) d.started_at = format_iso8601_s(first);
    if (last) d.ended_at = format_iso8601_s(last);
    if (!model_.empty()) st["model"] = model_;
    d.agent_version = st["cli_version"];
    d.model = st["model"];
    // One compaction writes a `compacted` record and a context_compacted event (or only one).
    d.compactions = std::max(compacted_, compacted_events_);
    // The session judge reads these: tool results and endings are observed, so a count of 0
    // is evidence too.
    harvest::observe_outcome(d, tool_errors_, ended_aborted_, interrupts_);
    // Codex-only extras.
    for (const char* k : {"originator", "source"})
      if (!st[k].empty()) d.attrs[k] = st[k];
    if (meta && !meta->history_mode.empty()) d.attrs["history_mode"] = meta->history_mode;
    if (job_.resumed) d.attrs["resumed_from_offset"] = std::to_string(job_.offset);
    r.digests.push_back(std::move(d));
  }

  const harvest::FileJob& job_;
  const harvest::Options& o_;
  std::string file_id_;
  std::vector<Meta> metas_;
  std::vector<Event> events_;
  std::string turn_cwd_;
  std::string model_;
  std::map<std::string, std::string> call_names_;  // call id -> tool name
  std::map<std::string, std::int64_t> counts_;
  std::int64_t last_ms_ = 0;
  std::int64_t offset_ = 0;
  std::int64_t repairs_ = 0;
  int interrupts_ = 0, compacted_ = 0, compacted_events_ = 0, tool_errors_ = 0;
  bool ended_aborted_ = false;
  bool reader_stopped_ = false;
};

}  // namespace

harvest::FileResult parse_codex_file(const harvest::FileJob& job, const harvest::Options& options) {
  return Parser(job, options).run();
}

}  // namespace skillpipe::codex
