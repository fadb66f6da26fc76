// The `skillpipe new-plugin --kind store` source: a minimal working store that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

const char* const kStoreSource =
    R"TPL(// @NAME@ - a skillpipe store: nights, state and the response cache as plain files.
//
//   <root>/projects/<slug>/nights/<NNNN-timestamp>/   streams (*.jsonl), artifacts, report
//   <root>/projects/<slug>/state/<sha256 of key>      per-project state (harvest cursors, ...)
//   <root>/cache/<sha256 of key>                      responses, shared by every project
// Every whole-file write is atomic. It stages proposals but does not adopt them (adoption()
// stays nullptr, so `skillpipe adopt` says so); use store_files for that. There is no lock
// against two runs on one project.
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
    published_ = fs::exists(h.dir + "/manifest.json");
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
    std::ofstream out(to_write(std::string(stream) + ".jsonl"), std::ios::app | std::ios::binary);
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
    const std::string path = to_write(relpath);
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
    published_ = true;  // final from now on
  }

  std::vector<NightInfo> nights(std::string_view project) const override {
    std::vector<NightInfo> out;
    const std::string dir = root_ + "/projects/" + project_slug(project) + "/nights/";
    for (const auto& n : sorted_dirs(dir))
      out.push_back({n, dir + n, fs::exists(dir + n + "/manifest.json"), false});
    return out;
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

 private:
  std::string to_write(std::string_view relpath) const {
    if (published_) throw Error("@NAME@: night " + night_.night_id + " is published; its files are final");
    return in_night(relpath);
  }
  std::string in_night(std::string_view relpath) const {
    if (night_.dir.empty()) throw Error("@NAME@: no night is open");
    if (relpath.empty() || relpath.front() == '/' || relpath.find("..") != std::string_view::npos)
      throw Error("@NAME@: refusing the path '" + std::string(relpath) + "' (must stay inside the night)");
    return night_.dir + "/" + std::string(relpath);
  }
  std::string state_path(std::string_view key) const {
    return (project_dir_.empty() ? root_ + "/global" : project_dir_) + "/state/" + sha256_hex(key);
  }

  std::string root_;
  std::string project_dir_;
  NightHandle night_;
  bool published_ = false;
  mutable std::mutex mu_;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kStore, "0.1.0", "@NAME@: nights, state and cache as plain files",
                 kSchemaJson, [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
