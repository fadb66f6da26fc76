// plugin_loader.hpp - loads a plugin file the way skillpipe does (dlopen RTLD_NOW |
// RTLD_LOCAL, the `skillpipe_plugin_v2` descriptor) and gives its stages a Context, for the
// conformance harness and for plugin authors' own tests. Header-only; needs only the SDK.
#pragma once

#include <dlfcn.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "skillpipe/backend.hpp"
#include "skillpipe/evaluation.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing::conformance {

// The plugin's name as the host derives it from the file name: libskillpipe_<name>.so.
inline std::string plugin_name_from_file(const std::string& path) {
  std::string f = std::filesystem::path(path).filename().string();
  if (f.rfind("libskillpipe_", 0) == 0) f = f.substr(13);
  if (f.size() > 3 && f.compare(f.size() - 3, 3, ".so") == 0) f.resize(f.size() - 3);
  return f;
}

// A plugin library opened like the host opens it. Objects it created must be destroyed
// before it is.
class Library {
 public:
  explicit Library(const std::string& path) : path_(path) {
    handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char* e = ::dlerror();
      error_ = e ? e : "dlopen failed";
      return;
    }
    desc_ = static_cast<const PluginDescriptor*>(::dlsym(handle_, SKILLPIPE_PLUGIN_ENTRY_NAME));
    if (!desc_) error_ = "missing entry symbol '" SKILLPIPE_PLUGIN_ENTRY_NAME "' (not a skillpipe plugin, or another ABI major)";
  }
  ~Library() {
    if (handle_) ::dlclose(handle_);
  }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  bool ok() const { return desc_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }
  const PluginDescriptor* descriptor() const { return desc_; }

  // Throws std::runtime_error when the factory is missing, throws or returns nothing.
  // A new object of the plugin, as T (a stage by default; Component, Store or Backend for
  // services). Throws when the factory fails or the object is not a T.
  template <class T = StageBase>
  std::unique_ptr<T> create() const {
    if (!desc_ || !desc_->create) throw std::runtime_error(path_ + ": no factory");
    std::unique_ptr<Component> obj = desc_->create();
    if (!obj) throw std::runtime_error(path_ + ": factory returned nothing");
    T* typed = dynamic_cast<T*>(obj.get());
    if (!typed) throw std::runtime_error(path_ + ": the object is not a " + kind_name<T>());
    obj.release();
    return std::unique_ptr<T>(typed);
  }

 private:
  template <class T>
  static std::string kind_name() {
    if constexpr (std::is_same_v<T, StageBase>) return "pipeline stage (it is a store or backend)";
    else return "requested kind";
  }

  std::string path_;
  void* handle_ = nullptr;
  const PluginDescriptor* desc_ = nullptr;
  std::string error_;
};

// ---- the Context a stage sees --------------------------------------------------------------

class NullProgress : public Progress {
 public:
  void set_total(std::int64_t) override {}
  void advance(std::int64_t) override {}
};

class HarnessContext : public Context {
 public:
  HarnessContext(std::string stage_id, RunInfo run, std::map<std::string, Backend*> backends = {},
                 Store* store = nullptr)
      : backends_(std::move(backends)),
        store_(store),
        stage_id_(std::move(stage_id)),
        run_(std::move(run)),
        logger_(std::make_shared<spdlog::logger>(stage_id_, std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
    logger_->set_level(spdlog::level::warn);
  }
  spdlog::logger& logger() override { return *logger_; }
  Progress& progress() override { return progress_; }
  bool cancelled() const override { return false; }
  const RunInfo& run() const override { return run_; }
  const std::string& stage_id() const override { return stage_id_; }
  void count(std::string_view key, std::int64_t delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    counts_[std::string(key)] += delta;
  }
  Backend* backend(std::string_view id) override {
    auto it = backends_.find(std::string(id));
    return it == backends_.end() ? nullptr : it->second;
  }
  Judge* judge(std::string_view) override { return nullptr; }
  Store* store() override { return store_; }
  EvaluationService* evaluator() override { return nullptr; }
  std::vector<std::string> input_judges() const override { return {}; }
  // Skipped records are kept (as "<record>: <what>") for tests to check; none ever fails here.
  void record_error(std::string_view record_id, std::string_view what) override {
    std::lock_guard<std::mutex> lock(mu_);
    record_errors_.push_back(std::string(record_id) + ": " + std::string(what));
  }
  std::vector<std::string> record_errors() const {
    std::lock_guard<std::mutex> lock(mu_);
    return record_errors_;
  }
  // What the stage reported through count(), for tests that check its counters.
  std::map<std::string, std::int64_t> counts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }

 private:
  std::map<std::string, Backend*> backends_;
  Store* store_ = nullptr;
  std::string stage_id_;
  RunInfo run_;
  std::shared_ptr<spdlog::logger> logger_;
  NullProgress progress_;
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> counts_;
  std::vector<std::string> record_errors_;
};

// Everything one harvest() run puts out, in order (tests compare whole runs).
inline std::vector<SessionDigest> harvest_all(Harvester& harvester, Context& ctx) {
  DigestList out;
  harvester.harvest(out, ctx);
  return std::move(out.items);
}

}  // namespace skillpipe::testing::conformance
