// conformance.hpp - the plugin conformance harness (header-only GoogleTest helpers).
// Over 400 lines on purpose: a plugin's test includes this one header and one macro.
// Any plugin author runs it against the built .so, loaded the way skillpipe loads plugins
// (dlopen RTLD_NOW | RTLD_LOCAL, the `skillpipe_plugin_v2` descriptor):
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
// host's own validator); create -> configure -> finish (stages) -> destroy; and per kind: a
// harvester's digests and a miner's tasks round-trip through JSON (and, given a fixture, the
// harvester keeps its cursors across nights: harvester_checks.hpp), a judge is deterministic
// (same input, same verdict, also from several threads and a second instance), a store keeps
// what it is given through a night's whole lifecycle and resumes an unfinished night
// (store_checks.hpp), a backend names itself, a consolidator survives an empty night.
//
// One header on purpose (about 500 lines): plugin authors include a single file, and the
// checks share the harness's loaded library and services. The store lifecycle lives in
// store_checks.hpp so a store author can run it without a plugin file.
//
// Link GTest yourself (skillpipe_add_conformance_test does). "@TMP@" in any config string is
// replaced by a fresh temporary directory that is removed afterwards. The loader and Context
// (plugin_loader.hpp) and the sample inputs (samples.hpp) are usable on their own.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/schema.hpp"
#include "skillpipe/testing/plugin_loader.hpp"
#include "skillpipe/testing/samples.hpp"
#include "skillpipe/testing/harvester_checks.hpp"
#include "skillpipe/testing/store_checks.hpp"

namespace skillpipe::testing::conformance {

// ---- inputs ----------------------------------------------------------------------------

// A service (backend or store) the plugin under test may look up through its Context.
struct Service {
  std::string plugin_file;
  std::string config = "{}";
};

struct Options {
  std::string plugin_file;        // .../libskillpipe_<name>.so
  std::optional<StageKind> kind;  // expected kind (unset: whatever it declares)
  std::string config = "{}";      // the minimal config (must pass the schema)
  std::string unknown_key = "skillpipe_conformance_unknown_key";
  // harvester: config for the harvest() check ("" = `config`), and how many digests it
  // must produce at least (point it at a fixture home and ask for >= 1).
  std::string harvest_config;
  std::size_t min_digests = 0;
  // harvester: a transcript of your format to run the across-nights checks on (cursors,
  // appended turns, torn tails, unfinished turns, redaction; harvester_checks.hpp).
  std::optional<HarvesterFixture> harvester_fixture;
  std::vector<SessionDigest> mine_input = sample_digests();  // miner
  TaskRecord task = sample_task();                           // judge
  ReplayResult replay = sample_replay();                     // judge
  bool consolidate_empty = true;                             // consolidator: run consolidate() on an empty night
  std::map<std::string, Service> backends;                   // Context::backend(id)
  std::optional<Service> store;                              // Context::store(); a night is opened for the checks
};

// ---- the harness ---------------------------------------------------------------------------

namespace detail {

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
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
  return object_json.substr(0, open + 1) + json_quote(key) + ":true" + (empty ? "" : ",") +
         object_json.substr(open + 1);
}

// [a-z][a-z0-9_]*: the name becomes a file name and a YAML value.
inline bool is_plugin_name(std::string_view s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// MAJOR.MINOR.PATCH, optionally followed by -prerelease or +build.
inline bool is_semver(std::string_view s) {
  std::size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
    if (part < 2) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
  }
  return i == s.size() || s[i] == '-' || s[i] == '+';
}

template <class T>
::testing::AssertionResult round_trips(const T& record, const std::string& what) {
  const std::string text = to_json(record);
  T back;
  try {
    from_json(text, back);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << what << " does not parse back from its JSON: " << e.what() << "\n  "
                                         << text;
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
    if (d.abi_minor <= SKILLPIPE_ABI_MINOR && d.struct_size < kDescriptorSizeByMinor[d.abi_minor])
      return fail() << "descriptor struct_size " << d.struct_size << " < " << kDescriptorSizeByMinor[d.abi_minor];
    if (!d.name || file_name != d.name)
      return fail() << "declares the name '" << (d.name ? d.name : "(null)") << "' but the file is named for '"
                    << file_name << "' (libskillpipe_<name>.so)";
    if (!detail::is_plugin_name(d.name))
      return fail() << "name '" << d.name << "' is not lower-case letters, digits and '_'";
    const auto kind = static_cast<std::uint32_t>(d.kind);
    if (kind < 1 || kind > 6) return fail() << "unknown kind " << kind;
    if (o_.kind && *o_.kind != d.kind)
      return fail() << "is a " << to_string(d.kind) << ", expected a " << to_string(*o_.kind);
    if (!d.version || !detail::is_semver(d.version))
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
      auto a = lib_.create<Component>();
      auto b = lib_.create<Component>();
      if (a.get() == b.get()) return ::testing::AssertionFailure() << "the factory returned the same object twice";
      HarnessContext ctx = context("conformance");
      if (auto r = configure(*a, o_.config, ctx); !r) return r;
      if (auto r = configure(*b, o_.config, ctx); !r) return r;
      if (auto* stage = dynamic_cast<StageBase*>(a.get())) stage->finish(ctx);
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
        case StageKind::kHarvester:
          return check_harvester();
        case StageKind::kMiner:
          return check_miner();
        case StageKind::kJudge:
          return check_judge();
        case StageKind::kConsolidator:
          return check_consolidator();
        case StageKind::kStore:
          return check_store();
        case StageKind::kBackend:
          return check_backend();
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

  static ::testing::AssertionResult configure(Component& obj, const std::string& json, Context& ctx) {
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
    auto load = [&](const Service& s, const char* role) -> std::unique_ptr<Component> {
      service_libs_.push_back(std::make_unique<Library>(s.plugin_file));
      const Library& l = *service_libs_.back();
      if (!l.ok()) throw std::runtime_error(std::string(role) + " " + s.plugin_file + ": " + l.error());
      return l.create<Component>();
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
    std::unique_ptr<T> obj = lib_.create<T>();
    r = configure(*obj, config, ctx);
    return obj;
  }

  ::testing::AssertionResult check_harvester() {
    HarnessContext ctx = context("harvest");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto h = make<Harvester>(o_.harvest_config.empty() ? o_.config : o_.harvest_config, ctx, ok);
    if (!ok) return ok;
    const std::vector<SessionDigest> digests = harvest_all(*h, ctx);
    h->finish(ctx);
    if (digests.size() < o_.min_digests)
      return ::testing::AssertionFailure()
             << "harvest() returned " << digests.size() << " digests, expected at least " << o_.min_digests;
    for (const auto& d : digests) {
      if (d.session_id.empty() || d.source.empty())
        return ::testing::AssertionFailure() << "a digest without session_id or source: " << to_json(d);
      if (auto r = detail::round_trips(d, "digest " + d.session_id); !r) return r;
    }
    if (o_.harvester_fixture) return check_harvester_across_nights(lib_, *o_.harvester_fixture);
    return ::testing::AssertionSuccess();
  }

  ::testing::AssertionResult check_miner() {
    HarnessContext ctx = context("mine");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto m = make<Miner>(o_.config, ctx, ok);
    if (!ok) return ok;
    m->mine(DigestList(), ctx);  // a night without sessions must not throw (fixture miners may still emit tasks)
    std::vector<TaskRecord> tasks = m->mine(DigestList(o_.mine_input), ctx);
    m->finish(ctx);
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
      return ::testing::AssertionFailure()
             << "verdict scores out of range (hard >= 0, soft in [0,1]): " << to_json(first);
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

  // The Store lifecycle (store_checks.hpp): open, write, stage, close twice; an unfinished
  // night that a new instance resumes.
  ::testing::AssertionResult check_store() {
    HarnessContext ctx = context("store");
    ::testing::AssertionResult ok = ::testing::AssertionSuccess();
    auto factory = [&]() -> std::unique_ptr<Store> {
      auto s = make<Store>(o_.config, ctx, ok);
      if (!ok) throw std::runtime_error("configure failed: " + std::string(ok.message()));
      return s;
    };
    return check_store_lifecycle(factory, ctx, run_.project);
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
  std::map<std::string, std::unique_ptr<Component>> backend_objs_;
  std::unique_ptr<Component> store_obj_;
};

}  // namespace skillpipe::testing::conformance

// Defines one GoogleTest test per check for the plugin `OPTIONS_FN()` describes.
#define SKILLPIPE_CONFORMANCE_TESTS(SUITE, OPTIONS_FN)          \
  TEST(SUITE, Descriptor) {                                     \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN()); \
    EXPECT_TRUE(h.check_descriptor());                          \
  }                                                             \
  TEST(SUITE, SchemaParsesAndAcceptsTheMinimalConfig) {         \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN()); \
    EXPECT_TRUE(h.check_schema());                              \
  }                                                             \
  TEST(SUITE, UnknownConfigKeyIsRefused) {                      \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN()); \
    EXPECT_TRUE(h.check_unknown_key_refused());                 \
  }                                                             \
  TEST(SUITE, CreateConfigureFinishDestroy) {                   \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN()); \
    EXPECT_TRUE(h.check_lifecycle());                           \
  }                                                             \
  TEST(SUITE, KindBehaviour) {                                  \
    ::skillpipe::testing::conformance::Harness h(OPTIONS_FN()); \
    EXPECT_TRUE(h.check_kind_behaviour());                      \
  }
