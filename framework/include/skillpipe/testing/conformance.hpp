// conformance.hpp - the plugin conformance harness (header-only GoogleTest helpers).
//
// Any plugin author runs it against the built .so, loaded the way skillpipe loads plugins
// (dlopen RTLD_NOW | RTLD_LOCAL, the `skillpipe_plugin_v1` descriptor):
//
//   #include <skillpipe/testing/conformance.hpp>
//   static skillpipe::testing::conformance::Options options() {
//     skillpipe::testing::conformance::Options o;
//     o.plugin_file = SKILLPIPE_PLUGIN_FILE;          // set by skillpipe_add_conformance_test()
//     o.kind = skillpipe::StageKind::kJudge;
//     return o;
//   }
//   SKILLPIPE_CONFORMANCE_TESTS(MyJudge, options)
//
// Checks: the descriptor is sane (ABI, build tag, name matches the file, version, kind); the
// config schema parses, accepts the minimal config and refuses an unknown key (with the
// host's own validator); create -> configure -> finish -> destroy; and per kind: a
// harvester's digests and a miner's tasks round-trip through JSON, a judge is deterministic
// (same input, same verdict, also from several threads and a second instance), a store keeps
// what it is given, a backend names itself, a consolidator survives an empty night.
//
// Link GTest yourself (skillpipe_add_conformance_test does). "@TMP@" in any config string is
// replaced by a fresh temporary directory that is removed afterwards.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "skillpipe/backend.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/evaluation.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/schema.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing::conformance {

// ---- inputs ------------------------------------------------------------------------------

// A service (backend or store) the plugin under test may look up through its Context.
struct Service {
  std::string plugin_file;
  std::string config = "{}";
};

inline std::vector<SessionDigest> sample_digests() {
  std::vector<SessionDigest> out;
  const char* prompts[] = {"run the unit tests and fix the failing one", "run the unit tests and fix the failing one",
                           "write the release notes for version 2.3"};
  for (int i = 0; i < 3; ++i) {
    SessionDigest d;
    d.session_id = "conformance-" + std::to_string(i);
    d.source = "conformance";
    d.project = "/tmp/conformance-project";
    d.started_at = "2026-01-0" + std::to_string(i + 1) + "T10:00:00Z";
    d.ended_at = "2026-01-0" + std::to_string(i + 1) + "T10:20:00Z";
    d.user_prompts = {prompts[i], "thanks, that works"};
    d.assistant_finals = {"Done: the test now passes.", "You're welcome."};
    d.tools_used = {"Bash", "Edit"};
    d.files_touched = {"src/app.cpp"};
    d.feedback_signals = {{1, "positive", "that works"}};
    d.n_user_turns = 2;
    d.n_assistant_turns = 2;
    d.usage.input = 1200;
    d.usage.output = 300;
    out.push_back(d);
  }
  return out;
}

// A task every kind of judge can score: rule checks, an exact reference and a rubric.
inline TaskRecord sample_task() {
  TaskRecord t;
  t.id = "conformance-task-1";
  t.project = "/tmp/conformance-project";
  t.intent = "What is six times seven? Answer with the number.";
  t.reference_kind = ReferenceKind::kExact;
  t.reference = "42";
  t.judge.kind = "rule";
  t.judge.checks = {{"contains", "42", "", false, {}}, {"max_words", "20", "", false, {}}};
  t.judge.rubric = "The answer is the number 42.";
  t.tags = {"arithmetic"};
  t.split = Split::kVal;
  return t;
}

inline ReplayResult sample_replay() {
  ReplayResult r;
  r.task_id = "conformance-task-1";
  r.variant = "baseline";
  r.response = "42";
  r.tokens_in = 40;
  r.tokens_out = 2;
  return r;
}

struct Options {
  std::string plugin_file;                 // .../libskillpipe_<name>.so
  std::optional<StageKind> kind;           // expected kind (unset: whatever it declares)
  std::string config = "{}";               // the minimal config (must pass the schema)
  std::string unknown_key = "skillpipe_conformance_unknown_key";
  // harvester: config for the harvest() check ("" = `config`), and how many digests it
  // must produce at least (point it at a fixture home and ask for >= 1).
  std::string harvest_config;
  std::size_t min_digests = 0;
  std::vector<SessionDigest> mine_input = sample_digests();  // miner
  TaskRecord task = sample_task();                            // judge
  ReplayResult replay = sample_replay();                      // judge
  bool consolidate_empty = true;           // consolidator: run consolidate() on an empty night
  std::map<std::string, Service> backends; // Context::backend(id)
  std::optional<Service> store;            // Context::store(); a night is opened for the checks
};

// ---- loading -----------------------------------------------------------------------------

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
    desc_ = static_cast<const PluginDescriptor*>(::dlsym(handle_, "skillpipe_plugin_v1"));
    if (!desc_) error_ = "missing entry symbol 'skillpipe_plugin_v1' (not a skillpipe plugin, or another ABI major)";
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
  std::unique_ptr<StageBase> create() const {
    if (!desc_ || !desc_->create) throw std::runtime_error(path_ + ": no factory");
    std::unique_ptr<StageBase> obj = desc_->create();
    if (!obj) throw std::runtime_error(path_ + ": factory returned nothing");
    return obj;
  }

 private:
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
      : backends_(std::move(backends)), store_(store), stage_id_(std::move(stage_id)), run_(std::move(run)),
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
};

// ---- the harness ---------------------------------------------------------------------------

namespace detail {

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

inline std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/skillpipe-conformance-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory from " + tmpl);
  return tmpl;
}

// Inserts "key": true into a JSON object text.
inline std::string with_extra_key(const std::string& object_json, const std::string& key) {
  const std::size_t open = object_json.find('{');
  if (open == std::string::npos) return object_json;
  const std::size_t next = object_json.find_first_not_of(" \t\r\n", open + 1);
  const bool empty = next != std::string::npos && object_json[next] == '}';
  return object_json.substr(0, open + 1) + json_quote(key) + ":true" + (empty ? "" : ",") + object_json.substr(open + 1);
}

template <class T>
::testing::AssertionResult round_trips(const T& record, const std::string& what) {
  const std::string text = to_json(record);
  T back;
  try {
    from_json(text, back);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << what << " does not parse back from its JSON: " << e.what() << "\n  " << text;
  }
  if (!(back == record))
    return ::testing::AssertionFailure() << what << " changes in a JSON round trip (invalid UTF-8? a value JSON "
                                         << "cannot hold?)\n  before: " << text << "\n  after:  " << to_json(back);
  return ::testing::AssertionSuccess();
}

}  // namespace detail

class Harness {
 public:
  explicit Harness(Options options) : o_(std::move(options)), tmp_(detail::make_temp_dir()), lib_(o_.plugin_file) {
    o_.config = expand(o_.config);
    o_.harvest_config = expand(o_.harvest_config);
    for (auto& [id, s] : o_.backends) s.config = expand(s.config);
    if (o_.store) o_.store->config = expand(o_.store->config);
    std::filesystem::create_directories(tmp_ + "/project");
    run_.pipeline_dir = tmp_;
    run_.project = tmp_ + "/project";
    run_.run_dir = tmp_ + "/run";
    run_.now_utc = "2026-01-10T03:00:00Z";
  }

  ~Harness() {
    if (night_open_) {
      try {
        static_cast<Store*>(store_obj_.get())->close_night(false);
      } catch (...) {
      }
    }
    // Objects before the libraries that made them.
    store_obj_.reset();
    backend_objs_.clear();
    service_libs_.clear();
    std::error_code ec;
    std::filesystem::remove_all(tmp_, ec);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  const std::string& temp_dir() const { return tmp_; }
  const Library& library() const { return lib_; }
  const Options& options() const { return o_; }

  ::testing::AssertionResult check_descriptor() const {
    if (!lib_.ok()) return ::testing::AssertionFailure() << o_.plugin_file << ": " << lib_.error();
    const PluginDescriptor& d = *lib_.descriptor();
    const std::string file_name = plugin_name_from_file(o_.plugin_file);
    auto fail = [&] { return ::testing::AssertionFailure() << o_.plugin_file << ": "; };
    if (d.abi_major != SKILLPIPE_ABI_MAJOR)
      return fail() << "built for plugin ABI major " << d.abi_major << ", the SDK is " << SKILLPIPE_ABI_MAJOR;
    if (d.abi_minor > SKILLPIPE_ABI_MINOR)
      return fail() << "needs ABI minor " << d.abi_minor << ", newer than the SDK's " << SKILLPIPE_ABI_MINOR;
    if (!d.build_tag || std::string(d.build_tag) != SKILLPIPE_BUILD_TAG)
      return fail() << "build tag '" << (d.build_tag ? d.build_tag : "(null)") << "' differs from '"
                    << SKILLPIPE_BUILD_TAG << "' (same compiler, C++ standard and SDK required)";
    if (d.struct_size < sizeof(PluginDescriptor))
      return fail() << "descriptor struct_size " << d.struct_size << " < " << sizeof(PluginDescriptor);
    if (!d.name || file_name != d.name)
      return fail() << "declares the name '" << (d.name ? d.name : "(null)") << "' but the file is named for '"
                    << file_name << "' (libskillpipe_<name>.so)";
    if (!std::regex_match(std::string(d.name), std::regex("[a-z][a-z0-9_]*")))
      return fail() << "name '" << d.name << "' is not lower-case letters, digits and '_'";
    const auto kind = static_cast<std::uint32_t>(d.kind);
    if (kind < 1 || kind > 6) return fail() << "unknown kind " << kind;
    if (o_.kind && *o_.kind != d.kind)
      return fail() << "is a " << to_string(d.kind) << ", expected a " << to_string(*o_.kind);
    if (!d.version || !std::regex_match(std::string(d.version), std::regex(R"(\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?)")))
      return fail() << "version '" << (d.version ? d.version : "(null)") << "' is not semver (MAJOR.MINOR.PATCH)";
    if (!d.description || std::string(d.description).empty()) return fail() << "has no description";
    if (static_cast<std::uint32_t>(d.stability) > static_cast<std::uint32_t>(Stability::kDeprecated))
      return fail() << "unknown stability " << static_cast<std::uint32_t>(d.stability);
    if (!d.create) return fail() << "has no factory";
    return ::testing::AssertionSuccess();
  }

  // The schema is a JSON object describing an object, and the minimal config passes it.
  ::testing::AssertionResult check_schema() const {
    if (!lib_.ok()) return ::testing::AssertionFailure() << lib_.error();
    const char* schema = lib_.descriptor()->config_schema_json;
    if (!schema) return ::testing::AssertionFailure() << "config_schema_json is null";
    if (!is_valid_json(schema)) return ::testing::AssertionFailure() << "config schema is not valid JSON:\n" << schema;
    try {
      Config s = Config::parse(schema);
      if (s.get_string("type") != "object")
        return ::testing::AssertionFailure() << "config schema must describe an object (\"type\": \"object\")";
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "config schema is not a JSON object: " << e.what();
    }
    for (const std::string* cfg : {&o_.config, &o_.harvest_config}) {
      if (cfg->empty()) continue;
      auto issues = check_config_against_schema(schema, *cfg);
      if (!issues.empty()) {
        auto f = ::testing::AssertionFailure() << "the schema refuses the config " << *cfg << ":";
        for (const auto& i : issues) f << "\n  " << (i.pointer.empty() ? "/" : i.pointer) << ": " << i.message;
        return f;
      }
    }
    return ::testing::AssertionSuccess();
  }

  // Unknown keys must be errors, so a typo in a pipeline never passes silently.
  ::testing::AssertionResult check_unknown_key_refused() const {
    if (!lib_.ok()) return ::testing::AssertionFailure() << lib_.error();
    const char* schema = lib_.descriptor()->config_schema_json;
    if (!schema) return ::testing::AssertionFailure() << "config_schema_json is null";
    const std::string cfg = detail::with_extra_key(o_.config, o_.unknown_key);
    for (const auto& i : check_config_against_schema(schema, cfg))
      if (i.pointer == "/" + o_.unknown_key) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "the schema accepts the unknown key '" << o_.unknown_key << "' in " << cfg
                                         << "; add \"additionalProperties\": false";
  }

  // create -> configure(minimal) -> finish -> destroy, twice side by side.
  ::testing::AssertionResult check_lifecycle() {
    if (!lib_.ok()) return ::testing::AssertionFailure() << lib_.error();
    if (auto r = prepare_services(); !r) return r;
    try {
      auto a = lib_.create();
      auto b = lib_.create();
      if (a.get() == b.get()) return ::testing::AssertionFailure() << "the factory returned the same object twice";
      HarnessContext ctx = context("conformance");
      if (auto r = configure(*a, o_.config, ctx); !r) return r;
      if (auto r = configure(*b, o_.config, ctx); !r) return r;
      a->finish(ctx);
      b.reset();
      a.reset();
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "lifecycle threw: " << e.what();
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_kind_behaviour() {
    if (!lib_.ok()) return ::testing::AssertionFailure() << lib_.error();
    if (auto r = prepare_services(); !r) return r;
    try {
      switch (lib_.descriptor()->kind) {
        case StageKind::kHarvester: return check_harvester();
        case StageKind::kMiner: return check_miner();
        case StageKind::kJudge: return check_judge();
        case StageKind::kConsolidator: return check_consolidator();
        case StageKind::kStore: return check_store();
        case StageKind::kBackend: return check_backend();
      }
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << to_string(lib_.descriptor()->kind) << " check threw: " << e.what();
    }
    return ::testing::AssertionFailure() << "unknown kind";
  }

  // Every check, each reported on its own.
  void run_all() {
    EXPECT_TRUE(check_descriptor());
    if (!lib_.ok()) return;
    EXPECT_TRUE(check_schema());
    EXPECT_TRUE(check_unknown_key_refused());
    EXPECT_TRUE(check_lifecycle());
    EXPECT_TRUE(check_kind_behaviour());
  }

 private:
  std::string expand(const std::string& s) const { return detail::replace_all(s, "@TMP@", tmp_); }

  HarnessContext context(const std::string& id) {
    std::map<std::string, Backend*> backends;
    for (auto& [bid, obj] : backend_objs_) backends[bid] = static_cast<Backend*>(obj.get());
    return HarnessContext(id, run_, std::move(backends), night_open_ ? static_cast<Store*>(store_obj_.get()) : nullptr);
  }

  static ::testing::AssertionResult configure(StageBase& obj, const std::string& json, Context& ctx) {
    try {
      obj.configure(Config::parse(json), ctx);
    } catch (const ConfigError& e) {
      return ::testing::AssertionFailure() << "configure(" << json << ") refused"
                                           << (e.pointer().empty() ? "" : " at " + e.pointer()) << ": " << e.what();
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "configure(" << json << ") threw: " << e.what();
    }
    return ::testing::AssertionSuccess();
  }

  // Loads, creates and configures the backends and the store the options name.
  ::testing::AssertionResult prepare_services() {
    if (services_ready_) return ::testing::AssertionSuccess();
    services_ready_ = true;
    auto load = [&](const Service& s, const char* role) -> std::unique_ptr<StageBase> {
      service_libs_.push_back(std::make_unique<Library>(s.plugin_file));
      const Library& l = *service_libs_.back();
      if (!l.ok()) throw std::runtime_error(std::string(role) + " " + s.plugin_file + ": " + l.error());
      return l.create();
    };
    try {
      for (const auto& [id, s] : o_.backends) {
        auto obj = load(s, "backend");
        HarnessContext ctx = context(id);
        if (auto r = configure(*obj, s.config, ctx); !r) return r << " (backend '" << id << "')";
        backend_objs_.emplace(id, std::move(obj));
      }
      if (o_.store) {
        store_obj_ = load(*o_.store, "store");
        HarnessContext ctx = context("store");
        if (auto r = configure(*store_obj_, o_.store->config, ctx); !r) return r << " (store)";
        auto* store = static_cast<Store*>(store_obj_.get());
        NightHandle night = store->open_night(run_.project, ctx);
        run_.night_id = night.night_id;
        night_open_ = true;
      }
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "cannot set up the services: " << e.what();
    }
    return ::testing::AssertionSuccess();
  }

  template <class T>
  std::unique_ptr<T> make(const std::string& config, HarnessContext& ctx, ::testing::AssertionResult& r) {
    std::unique_ptr<StageBase> obj = lib_.create();
    r = configure(*obj, config, ctx);
    return std::unique_ptr<T>(static_cast<T*>(obj.release()));
  }

  ::testing::AssertionResult check_harvester() {
    HarnessContext ctx = context("harvest");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto h = make<Harvester>(o_.harvest_config.empty() ? o_.config : o_.harvest_config, ctx, ok);
    if (!ok) return ok;
    std::vector<SessionDigest> digests = h->harvest(ctx);
    h->finish(ctx);
    if (digests.size() < o_.min_digests)
      return ::testing::AssertionFailure() << "harvest() returned " << digests.size() << " digests, expected at least "
                                           << o_.min_digests;
    for (const auto& d : digests) {
      if (d.session_id.empty() || d.source.empty())
        return ::testing::AssertionFailure() << "a digest without session_id or source: " << to_json(d);
      if (auto r = detail::round_trips(d, "digest " + d.session_id); !r) return r;
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_miner() {
    HarnessContext ctx = context("mine");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto m = make<Miner>(o_.config, ctx, ok);
    if (!ok) return ok;
    std::vector<TaskRecord> none = m->mine({}, ctx);
    std::vector<TaskRecord> tasks = m->mine(o_.mine_input, ctx);
    m->finish(ctx);
    if (!none.empty()) return ::testing::AssertionFailure() << "mine() of no digests returned " << none.size() << " tasks";
    std::map<std::string, int> ids;
    for (const auto& t : tasks) {
      if (t.id.empty()) return ::testing::AssertionFailure() << "a task without an id: " << to_json(t);
      if (++ids[t.id] > 1) return ::testing::AssertionFailure() << "task id '" << t.id << "' is not unique";
      if (t.split != Split::kTrain && t.origin != Origin::kReal)
        return ::testing::AssertionFailure() << "task " << t.id << ": synthetic tasks belong only in train";
      if (t.origin == Origin::kDream && t.derived_from.empty())
        return ::testing::AssertionFailure() << "dream task " << t.id << " does not say which real task it varies";
      if (auto r = detail::round_trips(t, "task " + t.id); !r) return r;
    }
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_judge() {
    HarnessContext ctx = context("judge");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto a = make<Judge>(o_.config, ctx, ok);
    if (!ok) return ok;
    auto b = make<Judge>(o_.config, ctx, ok);
    if (!ok) return ok;
    for (const auto& w : a->validate(o_.task)) ctx.logger().warn("validate: {}", w);
    const Verdict first = a->judge(o_.task, o_.replay, ctx);
    if (!std::isfinite(first.hard) || !std::isfinite(first.soft) || first.soft < 0 || first.soft > 1 || first.hard < 0)
      return ::testing::AssertionFailure() << "verdict scores out of range (hard >= 0, soft in [0,1]): " << to_json(first);
    if (auto r = detail::round_trips(first, "verdict"); !r) return r;
    auto same = [&](const Verdict& v, const char* how) -> ::testing::AssertionResult {
      if (v == first) return ::testing::AssertionSuccess();
      return ::testing::AssertionFailure() << "judge is not deterministic (" << how << "):\n  first: " << to_json(first)
                                           << "\n  then:  " << to_json(v);
    };
    if (auto r = same(a->judge(o_.task, o_.replay, ctx), "second call"); !r) return r;
    if (auto r = same(b->judge(o_.task, o_.replay, ctx), "second instance"); !r) return r;
    // Judges are called concurrently by the evaluation service.
    std::vector<Verdict> parallel(4);
    std::vector<std::string> errors(parallel.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < parallel.size(); ++i)
      threads.emplace_back([&, i] {
        try {
          parallel[i] = a->judge(o_.task, o_.replay, ctx);
        } catch (const std::exception& e) {
          errors[i] = e.what();
        }
      });
    for (auto& t : threads) t.join();
    for (std::size_t i = 0; i < parallel.size(); ++i) {
      if (!errors[i].empty()) return ::testing::AssertionFailure() << "concurrent judge() threw: " << errors[i];
      if (auto r = same(parallel[i], "concurrent calls"); !r) return r;
    }
    a->finish(ctx);
    b->finish(ctx);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_consolidator() {
    if (!o_.consolidate_empty) return ::testing::AssertionSuccess();
    HarnessContext ctx = context("consolidate");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto c = make<Consolidator>(o_.config, ctx, ok);
    if (!ok) return ok;
    ConsolidateResult r = c->consolidate(ConsolidateInput{}, ctx);
    c->finish(ctx);
    for (const auto& p : r.proposals)
      if (auto rt = detail::round_trips(p, "proposal " + p.name); !rt) return rt;
    for (const auto& e : r.edits)
      if (auto rt = detail::round_trips(e, "edit"); !rt) return rt;
    return detail::round_trips(r.report, "night report");
  }

  ::testing::AssertionResult check_store() {
    HarnessContext ctx = context("store");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto s = make<Store>(o_.config, ctx, ok);
    if (!ok) return ok;
    NightHandle n = s->open_night(run_.project, ctx);
    auto fail = [&] { return ::testing::AssertionFailure() << "store night " << n.night_id << ": "; };
    if (n.night_id.empty()) return fail() << "open_night() gave no night id";
    if (s->night().night_id != n.night_id) return fail() << "night() differs from what open_night() returned";
    const std::vector<std::string> lines = {R"({"a":1})", R"({"b":"two"})"};
    s->append("conformance", lines);
    if (s->read("conformance") != lines) return fail() << "read() does not return what append() wrote";
    s->write_artifact("conformance/a.txt", "artifact\n");
    if (s->read_artifact("conformance/a.txt") != std::optional<std::string>("artifact\n"))
      return fail() << "read_artifact() does not return what write_artifact() wrote";
    if (s->read_artifact("conformance/missing.txt")) return fail() << "a missing artifact reads as present";
    s->put_state("conformance.state", "value-1");
    s->put_state("conformance.state", "value-2");
    if (s->get_state("conformance.state") != std::optional<std::string>("value-2"))
      return fail() << "get_state() does not return the last put_state()";
    s->cache_put("conformance-key", "cached answer");
    if (s->cache_get("conformance-key") != std::optional<std::string>("cached answer"))
      return fail() << "cache_get() does not return what cache_put() stored";
    s->close_night(false);
    s->finish(ctx);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_backend() {
    HarnessContext ctx = context("backend");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto b = make<Backend>(o_.config, ctx, ok);
    if (!ok) return ok;
    std::string why;
    if (!b->available(&why) && why.empty())
      return ::testing::AssertionFailure() << "available() is false without telling the user why";
    const std::string id = b->identity();
    if (id.empty() || id != b->identity()) return ::testing::AssertionFailure() << "identity() is empty or not stable";
    ChatRequest req;
    req.messages = {{"system", "Answer briefly."}, {"user", "What is six times seven?"}};
    req.purpose = "replay";
    const CostEstimate e = b->estimate(req);
    if (e.calls < 0 || e.tokens_in < 0 || e.tokens_out < 0 || !(e.cost_usd >= 0))
      return ::testing::AssertionFailure() << "estimate() returned negative figures";
    b->finish(ctx);
    return ::testing::AssertionSuccess();
  }

  Options o_;
  std::string tmp_;
  Library lib_;
  RunInfo run_;
  bool services_ready_ = false;
  bool night_open_ = false;
  // Declared after the libraries they come from would be wrong: service objects are
  // destroyed explicitly in ~Harness() before service_libs_.
  std::vector<std::unique_ptr<Library>> service_libs_;
  std::map<std::string, std::unique_ptr<StageBase>> backend_objs_;
  std::unique_ptr<StageBase> store_obj_;
};

}  // namespace skillpipe::testing::conformance

// Defines one GoogleTest test per check for the plugin `OPTIONS_FN()` describes.
#define SKILLPIPE_CONFORMANCE_TESTS(SUITE, OPTIONS_FN)                                        \
  TEST(SUITE, Descriptor) {                                                                   \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN());                               \
    EXPECT_TRUE(h.check_descriptor());                                                        \
  }                                                                                           \
  TEST(SUITE, SchemaParsesAndAcceptsTheMinimalConfig) {                                       \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN());                               \
    EXPECT_TRUE(h.check_schema());                                                            \
  }                                                                                           \
  TEST(SUITE, UnknownConfigKeyIsRefused) {                                                    \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN());                               \
    EXPECT_TRUE(h.check_unknown_key_refused());                                               \
  }                                                                                           \
  TEST(SUITE, CreateConfigureFinishDestroy) {                                                 \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN());                               \
    EXPECT_TRUE(h.check_lifecycle());                                                         \
  }                                                                                           \
  TEST(SUITE, KindBehaviour) {                                                                \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN());                               \
    EXPECT_TRUE(h.check_kind_behaviour());                                                    \
  }
