// skillpipe export-dataset --format chat-jsonl [--output FILE] [--project P] [--store DIR]
//
// Writes the user's own successful and corrected work as chat-format JSONL for fine-tuning:
// one {"messages":[{"role":"user",...},{"role":"assistant",...}]} line per example, and a
// manifest naming every example's source (night, session, why it counts as a success).
// Sessions are judged with the offline success judge (session_judge.hpp), so an example is
// exactly what the offline miner would count as a success; every text is redacted again, and
// an example whose request or answer is only redaction markers is skipped ("only_redactions").
//
// Past nights are read from the night directories the store lists (NightStore::nights):
// streams/*.jsonl and the host's persisted stage outputs artifacts/stages/*.jsonl.
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/redact_rules.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_cli.hpp"

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

struct Example {
  std::string kind;  // success | corrected | task
  std::string night;
  std::string session;  // or the task id
  std::string source;
  std::string reason;
  std::string system;
  std::string user;
  std::string assistant;
};

struct Collected {
  std::map<std::string, std::pair<std::string, SessionDigest>> digests;  // session -> (night, digest)
  std::map<std::string, std::pair<std::string, TaskRecord>> tasks;       // task id -> (night, task)
  std::vector<std::string> nights;
  std::int64_t bad_lines = 0;
};

// Every JSONL file of a night that holds `kind` records ("digests" or "tasks").
std::vector<std::string> night_files(const std::string& dir, const std::string& kind) {
  std::vector<std::string> files;
  const std::string stream = dir + "/streams/" + kind + ".jsonl";
  if (fs::exists(stream)) files.push_back(stream);
  std::error_code ec;
  std::vector<std::string> staged;
  for (const auto& e : fs::directory_iterator(dir + "/artifacts/stages", ec))
    if (ends_with(e.path().filename().string(), "." + kind + ".jsonl")) staged.push_back(e.path().string());
  std::sort(staged.begin(), staged.end());
  files.insert(files.end(), staged.begin(), staged.end());
  return files;
}

void collect_night(const std::string& night, const std::string& dir, Collected& c) {
  for (const auto& f : night_files(dir, "digests")) {
    for_each_jsonl_line(f, [&](std::string_view line, std::int64_t) {
      try {
        auto d = record_from_json<SessionDigest>(line);
        const std::string key = d.session_id;
        c.digests[key] = {night, std::move(d)};  // a later night's digest is more complete
      } catch (const std::exception&) {
        ++c.bad_lines;
      }
    });
  }
  for (const auto& f : night_files(dir, "tasks")) {
    for_each_jsonl_line(f, [&](std::string_view line, std::int64_t) {
      try {
        auto t = record_from_json<TaskRecord>(line);
        const std::string key = t.id;
        c.tasks[key] = {night, std::move(t)};
      } catch (const std::exception&) {
        ++c.bad_lines;
      }
    });
  }
}

std::string chat_line(const Example& e) {
  std::string s = "{\"messages\":[";
  if (!e.system.empty()) s += "{\"role\":\"system\",\"content\":" + json_quote(e.system) + "},";
  s += "{\"role\":\"user\",\"content\":" + json_quote(e.user) + "},";
  s += "{\"role\":\"assistant\",\"content\":" + json_quote(e.assistant) + "}]}";
  return s;
}

std::string manifest_json(const std::vector<Example>& ex, const Collected& c, const std::string& project,
                          const std::string& output, const std::map<std::string, std::int64_t>& skipped,
                          std::int64_t redactions) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  auto str = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  str("format", "chat-jsonl");
  str("created_at", format_iso8601_s(now_ms()));
  str("project", project);
  str("output", output);
  w.Key("examples");
  w.Int64(static_cast<std::int64_t>(ex.size()));
  w.Key("by_kind");
  w.StartObject();
  for (const char* k : {"success", "corrected", "task"}) {
    w.Key(k);
    w.Int64(std::count_if(ex.begin(), ex.end(), [&](const Example& e) { return e.kind == k; }));
  }
  w.EndObject();
  w.Key("redactions");
  w.Int64(redactions);
  w.Key("skipped");
  w.StartObject();
  for (const auto& [k, v] : skipped) {
    w.Key(k.c_str());
    w.Int64(v);
  }
  w.EndObject();
  w.Key("unreadable_lines");
  w.Int64(c.bad_lines);
  w.Key("nights");
  w.StartArray();
  for (const auto& n : c.nights) w.String(n.c_str(), static_cast<rapidjson::SizeType>(n.size()));
  w.EndArray();
  w.Key("sources");
  w.StartArray();
  for (std::size_t i = 0; i < ex.size(); ++i) {
    w.StartObject();
    w.Key("line");
    w.Int64(static_cast<std::int64_t>(i + 1));
    str("kind", ex[i].kind);
    str("night", ex[i].night);
    str(ex[i].kind == "task" ? "task_id" : "session_id", ex[i].session);
    str("source", ex[i].source);
    str("reason", ex[i].reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

struct ExportOptions {
  std::string output = "skillpipe-dataset.jsonl", manifest, system;
  std::vector<std::string> include;
  int max_tool_errors = 3;
  bool wanted(const std::string& kind) const { return std::find(include.begin(), include.end(), kind) != include.end(); }
};

// Every night of the project the store lists (abandoned ones left out), read from its files.
bool collect_nights(StoreSession& s, Collected& c, CommandResult& res) {
  for (const auto& n : s.store->nights(s.project)) {
    if (n.abandoned) continue;
    if (n.dir.empty()) {
      res = command_error(1, "this store keeps no files for its nights; export-dataset reads night files", false);
      return false;
    }
    c.nights.push_back(n.id);
    collect_night(n.id, n.dir, c);
  }
  if (c.nights.empty()) {
    res = command_error(
        2, "no nights recorded for " + s.project + " in this store; run `skillpipe run nightly` first",
        false);
    return false;
  }
  return true;
}

// Examples, redacted again and without duplicates, with what was skipped and why.
class ExampleSet {
 public:
  explicit ExampleSet(const ExportOptions& o) : o_(o) {}

  void add_sessions(const Collected& c) {
    SessionJudgeOptions jo;
    jo.max_tool_errors = o_.max_tool_errors;
    for (const auto& [sid, nd] : c.digests) {
      const auto& [night, d] = nd;
      const SessionJudgement j = judge_session(d, jo);
      if (j.outcome != Outcome::kSuccess) {
        ++skipped[j.outcome == Outcome::kFail ? "failed" : "unknown"];
        continue;
      }
      const std::string kind = j.corrected ? "corrected" : "success";
      if (!o_.wanted(kind)) {
        ++skipped["not_included"];
        continue;
      }
      if (j.final_turn < 0) {
        ++skipped["no_answer"];
        continue;
      }
      Example e{kind,     night,    sid,      d.source,
                j.reason, o_.system, j.intent, d.assistant_finals[static_cast<std::size_t>(j.final_turn)]};
      if (push(std::move(e))) sessions_.insert(sid);
    }
  }

  void add_tasks(const Collected& c) {
    if (!o_.wanted("task")) return;
    for (const auto& [id, nt] : c.tasks) {
      const auto& [night, t] = nt;
      const bool pattern = std::find(t.tags.begin(), t.tags.end(), "pattern") != t.tags.end();
      if (pattern || t.origin != Origin::kReal || t.outcome != Outcome::kSuccess || t.attempted_solution.empty())
        continue;  // aggregates, dreams and unproven answers are no training targets
      if (std::any_of(t.source_sessions.begin(), t.source_sessions.end(),
                      [&](const std::string& s) { return sessions_.count(s) > 0; })) {
        ++skipped["task_duplicates_session"];
        continue;
      }
      push(Example{"task", night, id, "task", "task outcome success", o_.system.empty() ? t.system : o_.system,
                   t.intent, t.attempted_solution});
    }
  }

  std::vector<Example> examples;
  std::map<std::string, std::int64_t> skipped;
  std::int64_t redactions = 0;

 private:
  bool push(Example e) {
    e.system = redact_secrets(e.system, &redactions);
    e.user = redact_secrets(trim(e.user), &redactions);
    e.assistant = redact_secrets(trim(e.assistant), &redactions);
    if (e.user.empty() || e.assistant.empty()) {
      ++skipped["empty"];
      return false;
    }
    // "[REDACTED_MESSAGE len=32 …]" teaches a model nothing but the marker.
    if (only_redaction_markers(e.user) || only_redaction_markers(e.assistant)) {
      ++skipped["only_redactions"];
      return false;
    }
    if (!seen_pairs_.insert(e.user + '\x1f' + e.assistant).second) {
      ++skipped["duplicate"];
      return false;
    }
    examples.push_back(std::move(e));
    return true;
  }

  const ExportOptions& o_;
  std::set<std::string> sessions_, seen_pairs_;
};

// Writes the dataset and its manifest; the text says what happened.
CommandResult write_dataset(const ExampleSet& set, const Collected& c, const ExportOptions& o,
                            const std::string& project) {
  std::string data;
  for (const auto& e : set.examples) data += chat_line(e) + "\n";
  const std::string out_name = o.output == "-" ? std::string("(stdout)") : fs::absolute(o.output).string();
  const std::string man = manifest_json(set.examples, c, project, out_name, set.skipped, set.redactions);
  if (o.output == "-")
    std::cout << data;
  else
    atomic_write_file(out_name, data);
  if (!o.manifest.empty()) atomic_write_file(fs::absolute(o.manifest).string(), man);
  std::int64_t skipped_total = 0;
  for (const auto& [k, v] : set.skipped) skipped_total += v;
  CommandResult res;
  res.text = "exported " + std::to_string(set.examples.size()) + " examples from " + std::to_string(c.nights.size()) +
             " nights (" + std::to_string(set.redactions) + " redactions, " + std::to_string(skipped_total) +
             " sessions or tasks skipped)";
  if (o.output != "-") res.text += " to " + out_name;
  if (!o.manifest.empty()) res.text += "; manifest " + fs::absolute(o.manifest).string();
  res.text += "\n";
  if (set.examples.empty())
    res.text +=
        "No example qualified: a session counts when it ended with praise, or cleanly with few tool "
        "errors. See the manifest's \"skipped\" counts.\n";
  res.json = man;
  if (o.output == "-") res.text.clear();  // keep stdout pure JSONL
  return res;
}

// Checks the options; prints the problem and returns 2 when one is wrong.
int check_options(ExportOptions& o, const std::string& format, bool json) {
  auto bad = [](const std::string& msg) {
    path_error(msg);
    return 2;
  };
  if (format.empty()) return bad("--format is required (chat-jsonl)");
  if (format != "chat-jsonl") return bad("unknown --format '" + format + "' (expected chat-jsonl)");
  if (json && o.output == "-") return bad("--json prints the manifest on stdout; it cannot share stdout with --output -");
  if (o.include.empty()) o.include = {"success", "corrected", "task"};
  for (const auto& k : o.include)
    if (k != "success" && k != "corrected" && k != "task")
      return bad("unknown --include '" + k + "' (expected success, corrected, task)");
  if (o.manifest.empty() && o.output != "-")
    o.manifest = ends_with(o.output, ".jsonl") ? o.output.substr(0, o.output.size() - 6) + ".manifest.json"
                                               : o.output + ".manifest.json";
  if (o.output != "-")
    if (const std::string why = output_file_problem("--output", o.output); !why.empty()) return bad(why);
  if (!o.manifest.empty())
    if (const std::string why = output_file_problem("--manifest", o.manifest); !why.empty()) return bad(why);
  return 0;
}

}  // namespace

int cmd_export_dataset(const Args& args) {
  StoreCliArgs a;
  ExportOptions o;
  std::string format;
  po::options_description desc("options");
  desc.add_options()("format", po::value(&format), "output format: chat-jsonl (required)")(
      "output,o", po::value(&o.output), "dataset file (default skillpipe-dataset.jsonl; - for stdout)")(
      "manifest", po::value(&o.manifest), "manifest file (default: the output name with .manifest.json)")(
      "include", po::value(&o.include)->multitoken(), "kinds to export: success corrected task (default: all)")(
      "system", po::value(&o.system), "a system message to put first in every example")(
      "max-tool-errors", po::value(&o.max_tool_errors), "tool errors a silent session may have and still count (3)");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args,
                                   "skillpipe export-dataset --format chat-jsonl [--output FILE] [--manifest FILE] "
                                   "[--include KIND...] [--project P] [--pipeline FILE] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common))
    return *rc;
  if (int rc = check_options(o, format, a.json)) return rc;
  return run_with_store(a, [&](StoreSession& s) {
    Collected c;
    CommandResult failed;
    if (!collect_nights(s, c, failed)) return failed;
    ExampleSet set(o);
    set.add_sessions(c);
    set.add_tasks(c);
    return write_dataset(set, c, o, s.project);
  });
}

}  // namespace skillpipe::app
