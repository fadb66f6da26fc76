// The conformance harness the SDK ships, run on every plugin in the build's plugin
// directory (SKILLPIPE_PLUGIN_PATH), discovered when the test program starts: one test per
// plugin, named Conformance.<plugin>.
#include "skillpipe/testing/conformance.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "skillpipe/config.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace cf = skillpipe::testing::conformance;
using skillpipe::Config;

namespace {

struct Found {
  std::string name;
  std::string path;
  std::string dir;
};

std::vector<std::string> plugin_dirs() {
  if (const char* env = std::getenv("SKILLPIPE_PLUGIN_PATH"); env && *env) return skillpipe::split(env, ':');
  return {skillpipe::testing::plugin_dir()};
}

// libskillpipe_<name>.so files, the first per name winning as in the host's search.
std::vector<Found> discover() {
  std::vector<Found> out;
  std::set<std::string> seen;
  for (const auto& d : plugin_dirs()) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      const std::string f = p.filename().string();
      if (!f.starts_with("libskillpipe_") || !f.ends_with(".so")) continue;
      const std::string name = cf::plugin_name_from_file(f);
      if (seen.insert(name).second) out.push_back({name, p.string(), d});
    }
  }
  return out;
}

std::string expand(std::string s) {
  s = cf::detail::replace_all(s, "@DATA@", skillpipe::testing::test_data_dir());
  s = cf::detail::replace_all(s, "@SOURCE@", skillpipe::testing::source_dir());
  return cf::detail::replace_all(s, "@SHARED@", skillpipe::testing::shared_dir());
}

cf::Service service(const Config& c, const std::string& dir) {
  cf::Service s;
  s.plugin_file = dir + "/libskillpipe_" + c.get_string("plugin") + ".so";
  if (c.has("config")) s.config = expand(c.get_json("config"));
  return s;
}

cf::Options options_for(const Found& p) {
  cf::Options o;
  o.plugin_file = p.path;
  auto text = skillpipe::read_file(SKILLPIPE_CONFORMANCE_SETTINGS);
  if (!text) throw std::runtime_error("cannot read " SKILLPIPE_CONFORMANCE_SETTINGS);
  const Config all = Config::parse(*text);
  if (!all.has(p.name)) return o;
  const Config c = all.get_object(p.name);
  if (c.has("config")) o.config = expand(c.get_json("config"));
  if (c.has("harvest_config")) o.harvest_config = expand(c.get_json("harvest_config"));
  o.min_digests = static_cast<std::size_t>(c.get_int("min_digests", 0));
  o.consolidate_empty = c.get_bool("consolidate_empty", true);
  const Config backends = c.get_object("backends");
  for (const auto& id : backends.keys()) o.backends[id] = service(backends.get_object(id), p.dir);
  if (c.has("store")) o.store = service(c.get_object("store"), p.dir);
  return o;
}

class PluginConformance : public ::testing::Test {
 public:
  explicit PluginConformance(Found p) : p_(std::move(p)) {}
  void TestBody() override {
    cf::Harness h(options_for(p_));
    h.run_all();
  }

 private:
  Found p_;
};

// A plugin must never read the real user's agent homes in a test: HOME is an empty
// temporary directory for the whole program.
const bool kRegistered = [] {
  static std::string home = cf::detail::make_temp_dir();
  ::setenv("HOME", home.c_str(), 1);
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(home, ec);
  });
  for (const auto& p : discover()) {
    ::testing::RegisterTest("Conformance", p.name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [p]() -> ::testing::Test* { return new PluginConformance(p); });
  }
  return true;
}();

}  // namespace

// Every plugin this build defines must be in the plugin directory, so none is skipped
// silently (a stale or failed build).
TEST(ConformanceSuite, EveryBuiltPluginIsDiscovered) {
  std::set<std::string> found;
  for (const auto& p : discover()) found.insert(p.name);
  for (const auto& name : skillpipe::split(SKILLPIPE_EXPECTED_PLUGINS, ',')) {
    if (name.empty()) continue;
    EXPECT_TRUE(found.count(name)) << "plugin '" << name << "' is built by this tree but libskillpipe_" << name
                                   << ".so is not in " << ::testing::PrintToString(plugin_dirs());
  }
}

// The harness must be able to fail: a plugin that accepts unknown keys, or one whose
// descriptor names another file, is caught.
TEST(ConformanceSuite, HarnessDetectsBadPlugins) {
  const auto found = discover();
  ASSERT_FALSE(found.empty()) << "no plugins in " << ::testing::PrintToString(plugin_dirs());
  // A copy under another name: the descriptor's name no longer matches the file.
  skillpipe::testing::TempDir tmp;
  const std::string renamed = tmp.file("libskillpipe_renamed_for_conformance.so");
  fs::copy_file(found.front().path, renamed);
  cf::Options o;
  o.plugin_file = renamed;
  cf::Harness h(o);
  auto r = h.check_descriptor();
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("declares the name '" + found.front().name + "'"), std::string::npos)
      << r.message();
  // A file that is not a plugin.
  cf::Options missing;
  missing.plugin_file = tmp.file("libskillpipe_nothing.so");
  cf::Harness h2(missing);
  EXPECT_FALSE(h2.check_descriptor());
  EXPECT_FALSE(h2.check_lifecycle());
}

TEST(ConformanceSuite, SchemaCheckNamesTheUnknownKey) {
  const char* schema = R"({"type":"object","additionalProperties":false,
    "properties":{"n":{"type":"integer","minimum":1},"sub":{"type":"object","additionalProperties":false,
    "properties":{"x":{"type":"string"}}}}})";
  EXPECT_TRUE(skillpipe::check_config_against_schema(schema, R"({"n":2,"sub":{"x":"y"}})").empty());
  auto issues = skillpipe::check_config_against_schema(schema, R"({"n":2,"sub":{"x":"y","z":1}})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].pointer, "/sub/z");
  EXPECT_EQ(issues[0].message, "unknown key 'z' (allowed: x)");
  issues = skillpipe::check_config_against_schema(schema, R"({"n":0})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].pointer, "/n");
  issues = skillpipe::check_config_against_schema("{not json", "{}");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("not valid JSON"), std::string::npos);
  EXPECT_EQ(cf::detail::with_extra_key("{}", "k"), R"({"k":true})");
  EXPECT_EQ(cf::detail::with_extra_key(R"( {"a":1})", "k"), R"( {"k":true,"a":1})");
}
