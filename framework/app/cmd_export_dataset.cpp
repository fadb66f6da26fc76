// skillpipe export-dataset --format chat-jsonl [--output FILE] [--project P] [--store DIR]
//
// Writes the user's own successful and corrected work as chat-format JSONL for fine-tuning:
// one {"messages":[{"role":"user",...},{"role":"assistant",...}]} line per example, and a
// manifest naming every example's source (night, session, why it counts as a success).
// Sessions are judged with the offline success judge (session_judge.hpp), so an example is
// exactly what the offline miner would count as a success; every text is redacted again.
//
// The Store interface reads streams of the open night only, so past nights are read from
// the night directories the store reports in `status --json` (streams/*.jsonl and the
// host's persisted stage outputs artifacts/stages/*.jsonl).
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
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

}  // namespace

int cmd_export_dataset(const Args& args) {
  StoreCliArgs a;
  std::string format, output = "skillpipe-dataset.jsonl", manifest, system;
  std::vector<std::string> include;
  int max_tool_errors = 3;
  po::options_description desc("options");
  desc.add_options()("format", po::value(&format), "output format: chat-jsonl (required)")(
      "output,o", po::value(&output), "dataset file (default skillpipe-dataset.jsonl; - for stdout)")(
      "manifest", po::value(&manifest), "manifest file (default: the output name with .manifest.json)")(
      "include", po::value(&include)->multitoken(), "kinds to export: success corrected task (default: all)")(
      "system", po::value(&system), "a system message to put first in every example")(
      "max-tool-errors", po::value(&max_tool_errors), "tool errors a silent session may have and still count (3)");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args,
                                   "skillpipe export-dataset --format chat-jsonl [--output FILE] [--manifest FILE] "
                                   "[--include KIND...] [--project P] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common))
    return *rc;
  if (format.empty()) {
    std::cerr << "skillpipe export-dataset: --format is required (chat-jsonl)\n";
    return 2;
  }
  if (format != "chat-jsonl") {
    std::cerr << "skillpipe export-dataset: unknown --format '" << format << "' (expected chat-jsonl)\n";
    return 2;
  }
  if (a.json && output == "-") {
    std::cerr
        << "skillpipe export-dataset: --json prints the manifest on stdout; it cannot share stdout with --output -\n";
    return 2;
  }
  if (include.empty()) include = {"success", "corrected", "task"};
  for (const auto& k : include) {
    if (k != "success" && k != "corrected" && k != "task") {
      std::cerr << "skillpipe export-dataset: unknown --include '" << k << "' (expected success, corrected, task)\n";
      return 2;
    }
  }
  const auto wanted = [&](const std::string& k) {
    return std::find(include.begin(), include.end(), k) != include.end();
  };
  if (manifest.empty() && output != "-") {
    manifest = ends_with(output, ".jsonl") ? output.substr(0, output.size() - 6) + ".manifest.json"
                                           : output + ".manifest.json";
  }

  return run_with_store("export-dataset", a, [&](Store& store, const std::string& project) {
    CommandResult res;
    const CommandResult st = store.status(project, true);
    rapidjson::Document doc;
    doc.Parse(st.json.c_str(), st.json.size());
    if (st.exit_code != 0 || doc.HasParseError() || !doc.IsObject() || !doc.HasMember("nights") ||
        !doc["nights"].IsArray() || !doc.HasMember("store_dir") || !doc["store_dir"].IsString()) {
      res.exit_code = 1;
      res.text = "cannot read the store's night list for " + project + ": " + st.text + "\n";
      return res;
    }
    const std::string store_dir = doc["store_dir"].GetString();
    Collected c;
    for (const auto& n : doc["nights"].GetArray()) {
      if (!n.IsObject() || !n.HasMember("id") || !n["id"].IsString()) continue;
      if (n.HasMember("abandoned") && n["abandoned"].IsBool() && n["abandoned"].GetBool()) continue;
      const std::string id = n["id"].GetString();
      c.nights.push_back(id);
      collect_night(id, store_dir + "/nights/" + id, c);
    }
    if (c.nights.empty()) {
      res.exit_code = 1;
      res.text =
          "no nights recorded for " + project + " in this store; run `skillpipe run nightly` first\n";
      return res;
    }

    SessionJudgeOptions jo;
    jo.max_tool_errors = max_tool_errors;
    std::vector<Example> ex;
    std::map<std::string, std::int64_t> skipped;
    std::set<std::string> exported_sessions, seen_pairs;
    std::int64_t redactions = 0;
    auto push = [&](Example e) {
      e.system = redact_secrets(e.system, &redactions);
      e.user = redact_secrets(trim(e.user), &redactions);
      e.assistant = redact_secrets(trim(e.assistant), &redactions);
      if (e.user.empty() || e.assistant.empty()) {
        ++skipped["empty"];
        return false;
      }
      if (!seen_pairs.insert(e.user + '\x1f' + e.assistant).second) {
        ++skipped["duplicate"];
        return false;
      }
      ex.push_back(std::move(e));
      return true;
    };
    for (const auto& [sid, nd] : c.digests) {
      const auto& [night, d] = nd;
      const SessionJudgement j = judge_session(d, jo);
      if (j.outcome != Outcome::kSuccess) {
        ++skipped[j.outcome == Outcome::kFail ? "failed" : "unknown"];
        continue;
      }
      const std::string kind = j.corrected ? "corrected" : "success";
      if (!wanted(kind)) {
        ++skipped["not_included"];
        continue;
      }
      if (j.final_turn < 0) {
        ++skipped["no_answer"];
        continue;
      }
      Example e{kind,     night,  sid,      d.source,
                j.reason, system, j.intent, d.assistant_finals[static_cast<std::size_t>(j.final_turn)]};
      if (push(std::move(e))) exported_sessions.insert(sid);
    }
    if (wanted("task")) {
      for (const auto& [id, nt] : c.tasks) {
        const auto& [night, t] = nt;
        const bool pattern = std::find(t.tags.begin(), t.tags.end(), "pattern") != t.tags.end();
        if (pattern || t.origin != Origin::kReal || t.outcome != Outcome::kSuccess || t.attempted_solution.empty())
          continue;  // aggregates, dreams and unproven answers are no training targets
        if (std::any_of(t.source_sessions.begin(), t.source_sessions.end(),
                        [&](const std::string& s) { return exported_sessions.count(s) > 0; })) {
          ++skipped["task_duplicates_session"];
          continue;
        }
        push(Example{"task", night, id, "task", "task outcome success", system.empty() ? t.system : system, t.intent,
                     t.attempted_solution});
      }
    }

    std::string data;
    for (const auto& e : ex) data += chat_line(e) + "\n";
    const std::string out_name = output == "-" ? std::string("(stdout)") : fs::absolute(output).string();
    const std::string man = manifest_json(ex, c, project, out_name, skipped, redactions);
    if (output == "-")
      std::cout << data;
    else
      atomic_write_file(out_name, data);
    if (!manifest.empty()) atomic_write_file(fs::absolute(manifest).string(), man);

    std::int64_t skipped_total = 0;
    for (const auto& [k, v] : skipped) skipped_total += v;
    res.text = "exported " + std::to_string(ex.size()) + " examples from " + std::to_string(c.nights.size()) +
               " nights (" + std::to_string(redactions) + " redactions, " + std::to_string(skipped_total) +
               " sessions or tasks skipped)";
    if (output != "-") res.text += " to " + out_name;
    if (!manifest.empty()) res.text += "; manifest " + fs::absolute(manifest).string();
    res.text += "\n";
    if (ex.empty())
      res.text +=
          "No example qualified: a session counts when it ended with praise, or cleanly with few tool "
          "errors. See the manifest's \"skipped\" counts.\n";
    res.json = man;
    if (output == "-") res.text.clear();  // keep stdout pure JSONL
    return res;
  });
}

}  // namespace skillpipe::app
