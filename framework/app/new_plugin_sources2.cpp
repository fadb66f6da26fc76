// new_plugin_sources2.cpp - minimal working store and backend plugins for
// `skillpipe new-plugin` (the other kinds are in new_plugin_sources.cpp).
#include "new_plugin_templates.hpp"

namespace skillpipe::app::scaffold {

extern const char* const kStoreSource;
extern const char* const kBackendSource;

const char* const kStoreSource =
    R"TPL(// @NAME@ - a skillpipe store: nights, state and the response cache as plain files.
//
//   <root>/projects/<slug>/nights/<NNNN-timestamp>/   streams (*.jsonl), artifacts, report
//   <root>/projects/<slug>/state/<sha256 of key>      per-project state (harvest cursors, ...)
//   <root>/cache/<sha256 of key>                      responses, shared by every project
// Every whole-file write is atomic. It stages proposals but does not adopt them (status,
// adopt, rollback and history answer "not supported"); use store_files for that. There is
// no lock against two runs on one project.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"

namespace {

using namespace skillpipe;
namespace fs = std::filesystem;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "root": {"type": "string", "description": "store directory (default ~/.@NAME@)"}
  }
})JSON";

std::vector<std::string> sorted_dirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class @CAMEL@ : public Store {
 public:
  void configure(const Config& config, Context&) override { root_ = expand_path(config.get_string("root", "~/.@NAME@")); }

  NightHandle open_night(const std::string& project, Context&) override {
    std::lock_guard<std::mutex> lock(mu_);
    project_dir_ = root_ + "/projects/" + project_slug(project);
    ensure_dir(project_dir_ + "/nights");
    const auto nights = sorted_dirs(project_dir_ + "/nights");
    NightHandle h;
    h.project = project;
    if (!nights.empty() && !fs::exists(project_dir_ + "/nights/" + nights.back() + "/complete")) {
      h.night_id = nights.back();  // an unfinished night: resume it
      h.resumed = true;
    } else {
      std::string stamp = format_iso8601_s(now_ms());
      std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
      char seq[16];
      std::snprintf(seq, sizeof seq, "%04zu", nights.size() + 1);
      h.night_id = std::string(seq) + "-" + stamp;
    }
    h.dir = project_dir_ + "/nights/" + h.night_id;
    ensure_dir(h.dir);
    night_ = h;
    return h;
  }

  void close_night(bool completed) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (completed && !night_.dir.empty()) atomic_write_file(night_.dir + "/complete", "");
    night_ = {};
  }
  const NightHandle& night() const override { return night_; }

  void append(std::string_view stream, const std::vector<std::string>& json_lines) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::ofstream out(in_night(std::string(stream) + ".jsonl"), std::ios::app | std::ios::binary);
    for (const auto& l : json_lines) out << l << '\n';
    out.flush();
    if (!out) throw Error("@NAME@: cannot append to stream '" + std::string(stream) + "'");
  }

  std::vector<std::string> read(std::string_view stream) const override {
    std::vector<std::string> out;
    auto text = read_file(in_night(std::string(stream) + ".jsonl"));
    if (!text) return out;
    auto lines = split(*text, '\n');
    if (!text->empty() && text->back() != '\n') lines.pop_back();  // a torn last line
    for (auto& l : lines)
      if (!trim(l).empty()) out.push_back(std::move(l));
    return out;
  }

  void write_artifact(std::string_view relpath, std::string_view content) override {
    const std::string path = in_night(relpath);
    ensure_dir(fs::path(path).parent_path().string());
    atomic_write_file(path, content);
  }
  std::optional<std::string> read_artifact(std::string_view relpath) const override { return read_file(in_night(relpath)); }

  // Proposals and the report first, the manifest last: its presence marks a published night.
  void stage(const std::vector<Proposal>& proposals, const NightReport& report) override {
    std::string manifest = "{\"night_id\":" + json_quote(night_.night_id) + ",\"proposals\":[";
    for (std::size_t i = 0; i < proposals.size(); ++i) {
      const std::string file = "proposed/" + sha256_hex(proposals[i].name).substr(0, 12) + ".json";
      write_artifact(file, to_json(proposals[i]));
      manifest += (i ? "," : "") + json_quote(file);
    }
    write_artifact("report.json", to_json_pretty(report));
    write_artifact("manifest.json", manifest + "]}\n");
  }

  std::vector<NightReport> past_reports(std::string_view project) const override {
    std::vector<NightReport> out;
    const std::string dir = root_ + "/projects/" + project_slug(project) + "/nights/";
    for (const auto& n : sorted_dirs(dir)) {
      if (!fs::exists(dir + n + "/manifest.json")) continue;
      if (auto text = read_file(dir + n + "/report.json")) out.push_back(record_from_json<NightReport>(*text));
    }
    return out;
  }

  std::optional<std::string> get_state(std::string_view key) const override { return read_file(state_path(key)); }
  void put_state(std::string_view key, std::string_view value) override {
    ensure_dir(fs::path(state_path(key)).parent_path().string());
    atomic_write_file(state_path(key), value);
  }

  std::optional<std::string> cache_get(std::string_view key) const override {
    return read_file(root_ + "/cache/" + sha256_hex(key));
  }
  void cache_put(std::string_view key, std::string_view value) override {
    ensure_dir(root_ + "/cache");
    atomic_write_file(root_ + "/cache/" + sha256_hex(key), value);
  }

  CommandResult status(std::string_view, bool json) override { return unsupported("status", json); }
  CommandResult adopt(const AdoptRequest&, bool json) override { return unsupported("adopt", json); }
  CommandResult rollback(const RollbackRequest&, bool json) override { return unsupported("rollback", json); }
  CommandResult history(std::string_view, bool json) override { return unsupported("history", json); }

 private:
  std::string in_night(std::string_view relpath) const {
    if (night_.dir.empty()) throw Error("@NAME@: no night is open");
    if (relpath.empty() || relpath.front() == '/' || relpath.find("..") != std::string_view::npos)
      throw Error("@NAME@: refusing the path '" + std::string(relpath) + "' (must stay inside the night)");
    return night_.dir + "/" + std::string(relpath);
  }
  std::string state_path(std::string_view key) const {
    return (project_dir_.empty() ? root_ + "/global" : project_dir_) + "/state/" + sha256_hex(key);
  }
  static CommandResult unsupported(const char* what, bool json) {
    CommandResult r;
    r.exit_code = 2;
    r.text = std::string("@NAME@ does not support '") + what + "'; use the store_files plugin for adoption\n";
    if (json) r.json = "{\"error\":\"not supported\",\"command\":" + json_quote(what) + "}\n";
    return r;
  }

  std::string root_;
  std::string project_dir_;
  NightHandle night_;
  mutable std::mutex mu_;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kStore, "0.1.0", "@NAME@: nights, state and cache as plain files",
                 kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

const char* const kBackendSource =
    R"TPL(// @NAME@ - a skillpipe backend that answers from a table: `answers` maps a task id to the
// response to give (inline, or a JSON object in `answers_file`), anything else gets
// `default_answer`. Deterministic and free, for tests and dry runs; replace complete() with
// a call to your model. Backends are called from several threads at once.
#include <map>

#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "answers": {"type": "object", "additionalProperties": {"type": "string"}, "description": "task id -> response"},
    "answers_file": {"type": "string", "description": "JSON object file: task id -> response (relative to the pipeline)"},
    "default_answer": {"type": "string", "description": "response for any other task (default: empty)"}
  }
})JSON";

std::int64_t rough_tokens(std::string_view s) { return static_cast<std::int64_t>(s.size() / 4 + 1); }

class @CAMEL@ : public Backend {
 public:
  void configure(const Config& config, Context& ctx) override {
    if (config.has("answers_file")) {
      std::string path = expand_path(config.get_string("answers_file"));
      if (!path.empty() && path[0] != '/' && !ctx.run().pipeline_dir.empty()) path = ctx.run().pipeline_dir + "/" + path;
      auto text = read_file(path);
      if (!text) throw ConfigError("cannot read answers_file " + path, config.pointer() + "/answers_file");
      add(Config::parse(*text, config.pointer() + "/answers_file"));
    }
    add(config.get_object("answers"));
    default_answer_ = config.get_string("default_answer");
    std::string material = default_answer_;
    for (const auto& [k, v] : answers_) material += "\n" + k + "\n" + v;
    identity_ = "@NAME@:" + sha256_hex(material).substr(0, 12);
  }

  bool available(std::string* why) const override {
    if (why) why->clear();
    return true;
  }
  std::string identity() const override { return identity_; }

  ChatResponse complete(const ChatRequest& request, Context&) override {
    ChatResponse r;
    auto id = request.meta.find("task_id");
    auto it = id == request.meta.end() ? answers_.end() : answers_.find(id->second);
    r.text = it == answers_.end() ? default_answer_ : it->second;
    for (const auto& m : request.messages) r.usage.input += rough_tokens(m.content);
    r.usage.output = rough_tokens(r.text);
    r.model = "@NAME@";
    r.finish_reason = "stop";
    return r;
  }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    for (const auto& m : request.messages) e.tokens_in += rough_tokens(m.content);
    return e;
  }

 private:
  void add(const Config& c) {
    for (const auto& k : c.keys()) answers_[k] = c.get_string(k);
  }
  std::map<std::string, std::string> answers_;
  std::string default_answer_;
  std::string identity_ = "@NAME@";
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "0.1.0", "@NAME@: answers replays from a table (no model)",
                 kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new @CAMEL@); });
)TPL";

}  // namespace skillpipe::app::scaffold
