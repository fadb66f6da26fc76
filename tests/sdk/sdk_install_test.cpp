// The installed SDK, used the way a third party uses it: `cmake --install` into a temporary
// prefix, then separate CMake projects that only know that prefix - the example harvester
// (examples/harvest_gemini) and the folders `skillpipe new-plugin` writes - are configured,
// built (-O0), tested with their own ctest (the conformance harness), and loaded by the
// installed skillpipe.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "skillpipe/config.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using skillpipe::testing::run_program;
using skillpipe::testing::TempDir;

namespace {

std::string show(const skillpipe::testing::CommandResult& r) { return "stdout:\n" + r.out + "\nstderr:\n" + r.err; }

// The installed prefix, made once per test program run.
class Sdk : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    prefix_ = tmp_->file("prefix");
    auto r =
        run_program(SKILLPIPE_CMAKE, {"--install", SKILLPIPE_BUILD_DIR, "--prefix", prefix_, "--component", "sdk"});
    install_ok_ = r.exit_code == 0;
    install_log_ = show(r);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(install_ok_) << install_log_; }

  // Configures and builds a CMake project against the installed prefix only.
  static skillpipe::testing::CommandResult configure(const std::string& src, const std::string& build) {
    return run_program(SKILLPIPE_CMAKE,
                       {"-S", src, "-B", build, "-G", SKILLPIPE_GENERATOR,
                        "-DCMAKE_MAKE_PROGRAM=" SKILLPIPE_MAKE_PROGRAM, "-DCMAKE_CXX_COMPILER=" SKILLPIPE_CXX_COMPILER,
                        "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_CXX_FLAGS_DEBUG=-O0", "-DCMAKE_PREFIX_PATH=" + prefix_});
  }
  static skillpipe::testing::CommandResult build(const std::string& dir) {
    return run_program(SKILLPIPE_CMAKE, {"--build", dir, "-j", "2"});
  }
  static skillpipe::testing::CommandResult ctest(const std::string& dir) {
    return run_program(SKILLPIPE_CTEST, {"--test-dir", dir, "--output-on-failure"});
  }
  static std::string bin() { return prefix_ + "/bin/skillpipe"; }

  static inline TempDir* tmp_ = nullptr;
  static inline std::string prefix_;
  static inline bool install_ok_ = false;
  static inline std::string install_log_;
};

}  // namespace

TEST_F(Sdk, InstalledPackageIsCompleteAndSelfContained) {
  for (const char* f :
       {"bin/skillpipe", "lib/libskillpipe.so", "lib/libskillpipe_kit.so", "lib/cmake/skillpipe/skillpipeConfig.cmake",
        "lib/cmake/skillpipe/skillpipeConfigVersion.cmake", "lib/cmake/skillpipe/skillpipeTargets.cmake",
        "lib/cmake/skillpipe/SkillpipePlugin.cmake", "include/skillpipe/plugin.hpp", "include/skillpipe/fields.hpp",
        "include/skillpipe/kit/harvest.hpp", "include/skillpipe/kit/rules.hpp",
        "include/skillpipe/schema.hpp", "include/skillpipe/testing/conformance.hpp"})
    EXPECT_TRUE(fs::exists(prefix_ + "/" + f)) << f;
  // The plugin ABI never includes Boost, yaml-cpp or RapidJSON.
  const std::regex forbidden(R"(#\s*include\s*[<"](rapidjson|yaml-cpp|boost)/)");
  int headers = 0;
  for (const auto& e : fs::recursive_directory_iterator(prefix_ + "/include")) {
    if (!e.is_regular_file()) continue;
    ++headers;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(std::regex_search(text, forbidden)) << e.path() << " includes a private dependency";
  }
  EXPECT_GT(headers, 10);
  // The installed tool finds its library through its RPATH.
  auto v = run_program(bin(), {"--version"}, {"LD_LIBRARY_PATH"});
  EXPECT_EQ(v.exit_code, 0) << show(v);
  EXPECT_NE(v.out.find("plugin ABI 4."), std::string::npos) << v.out;
}

TEST_F(Sdk, PluginsExplainsAnEmptyListingAfterAnSdkOnlyInstall) {
  TempDir empty;
  auto r = run_program(bin(), {"plugins", "--plugin-path", empty.path()}, {"SKILLPIPE_PLUGIN_PATH", "LD_LIBRARY_PATH"});
  ASSERT_EQ(r.exit_code, 0) << show(r);
  if (r.out.find("no plugins found") == std::string::npos)
    GTEST_SKIP() << "plugins are installed system-wide on this machine:\n" << r.out;
  EXPECT_NE(r.out.find(empty.path() + "  (no libskillpipe_*.so in it)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(prefix_ + "/lib/skillpipe/plugins  (missing)"), std::string::npos) << r.out;
  for (const char* how : {"--plugin-path DIR", "SKILLPIPE_PLUGIN_PATH=", "plugin_path:", "SDK-only install"})
    EXPECT_NE(r.out.find(how), std::string::npos) << how << "\n" << r.out;
  auto j = run_program(bin(), {"plugins", "--json", "--plugin-path", empty.path()}, {"SKILLPIPE_PLUGIN_PATH", "LD_LIBRARY_PATH"});
  EXPECT_EQ(j.out, "[]\n");
  EXPECT_NE(j.err.find("no plugins found"), std::string::npos) << j.err;
}

TEST_F(Sdk, PackageVersionIsCompatibleWithinTheMinorVersionOnly) {
  TempDir t;
  skillpipe::testing::write_text(t.file("src/CMakeLists.txt"), R"(cmake_minimum_required(VERSION 3.25)
project(probe LANGUAGES CXX)
find_package(skillpipe 0.5 QUIET)
message(STATUS "probe: 0.5 found=${skillpipe_FOUND}")
find_package(skillpipe 0.3 QUIET)
message(STATUS "probe: 0.3 found=${skillpipe_FOUND}")
find_package(skillpipe 0.4 REQUIRED)
message(STATUS "probe: 0.4 found=${skillpipe_FOUND} version=${skillpipe_VERSION}")
if(NOT TARGET skillpipe::sdk OR NOT TARGET skillpipe::kit OR NOT TARGET skillpipe::skillpipe OR NOT COMMAND skillpipe_add_plugin
   OR NOT COMMAND skillpipe_add_conformance_test)
  message(FATAL_ERROR "probe: the package is missing a target or function")
endif()
)");
  auto r = configure(t.file("src"), t.file("build"));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("probe: 0.5 found=0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("probe: 0.3 found=0"), std::string::npos) << r.out;  // 0.4 changed the plugin ABI
  EXPECT_NE(r.out.find("probe: 0.4 found=1 version=0.4."), std::string::npos) << r.out;
}

TEST_F(Sdk, ExampleHarvesterBuildsOutOfTreeAndRunsInAPipeline) {
  TempDir t;
  const std::string build_dir = t.file("harvest_gemini");
  auto r = configure(skillpipe::testing::source_dir() + "/examples/harvest_gemini", build_dir);
  ASSERT_EQ(r.exit_code, 0) << show(r);
  // Nothing from the source tree: only the installed headers.
  std::ifstream ninja(build_dir + "/build.ninja");
  const std::string rules((std::istreambuf_iterator<char>(ninja)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rules.find(skillpipe::testing::source_dir() + "/framework"), std::string::npos);
  r = build(build_dir);
  ASSERT_EQ(r.exit_code, 0) << show(r);
  ASSERT_TRUE(fs::exists(build_dir + "/plugins/libskillpipe_harvest_gemini.so"));
  r = ctest(build_dir);  // the conformance harness and the example's own tests
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("100% tests passed"), std::string::npos) << r.out;

  // The installed skillpipe loads it from the example's build directory.
  const std::vector<std::string> env = {"SKILLPIPE_TEST_DATA=" + skillpipe::testing::test_data_dir(),
                                        "SKILLPIPE_PLUGIN_PATH"};
  auto d = run_program(bin(), {"describe", "harvest_gemini", "--plugin-path", build_dir + "/plugins"}, env);
  EXPECT_EQ(d.exit_code, 0) << show(d);
  EXPECT_NE(d.out.find("max_document_bytes"), std::string::npos) << d.out;
  auto run = run_program(bin(),
                         {"run", skillpipe::testing::test_data_dir() + "/sdk/harvest_gemini.yaml", "--plugin-path",
                          build_dir + "/plugins", "--project", "/nonexistent/skillpipe-sdk-test", "--json"},
                         env);
  ASSERT_EQ(run.exit_code, 0) << show(run);
  const auto summary = skillpipe::Config::parse(run.out);
  const auto stages = summary.get_object_list("stages");
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].get_string("plugin"), "harvest_gemini");
  EXPECT_EQ(stages[0].get_string("status"), "ok");
  // Two chats of the project (a .json document and a .jsonl file); a third project's chat is
  // out of scope; the token in a prompt is redacted, and so is the random-looking project-hash
  // folder in each chat's raw path (redact_path: a folder name can be a token).
  EXPECT_EQ(stages[0].get_int("out"), 2);
  const auto counts = stages[0].get_object("counts");
  EXPECT_EQ(counts.get_int("sessions"), 2);
  EXPECT_EQ(counts.get_int("prompts"), 3);
  EXPECT_EQ(counts.get_int("sessions_skipped_out_of_scope"), 1);
  EXPECT_EQ(counts.get_int("redactions"), 3);
}

TEST_F(Sdk, NewPluginFoldersBuildAndPassTheConformanceHarness) {
  TempDir t;
  const std::string dir = t.file("plugins");
  const std::vector<std::string> kinds = {"harvester", "miner", "judge", "consolidator", "store", "backend"};
  for (const auto& k : kinds) {
    auto r = run_program(bin(), {"new-plugin", "sp_" + k, "--kind", k, "--dir", dir});
    ASSERT_EQ(r.exit_code, 0) << show(r);
    // The next steps name this install's real prefix, never a placeholder to fill in.
    EXPECT_NE(r.out.find("-DCMAKE_PREFIX_PATH=" + prefix_), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('<'), std::string::npos) << r.out;
  }
  // Refusals: an existing folder, a bad name, an unknown kind.
  EXPECT_EQ(run_program(bin(), {"new-plugin", "sp_judge", "--kind", "judge", "--dir", dir}).exit_code, 2);
  EXPECT_EQ(run_program(bin(), {"new-plugin", "Bad-Name", "--kind", "judge", "--dir", dir}).exit_code, 2);
  EXPECT_EQ(run_program(bin(), {"new-plugin", "sp_x", "--kind", "reporter", "--dir", dir}).exit_code, 2);

  // One folder exactly as written, as its own project.
  auto r = configure(dir + "/sp_judge", t.file("build-judge"));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  r = build(t.file("build-judge"));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  r = ctest(t.file("build-judge"));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("100% tests passed, 0 tests failed out of 1"), std::string::npos) << r.out;

  // The other kinds, unchanged, as sub-directories of one project (one configure, one build).
  std::string lists =
      "cmake_minimum_required(VERSION 3.25)\nproject(all_kinds LANGUAGES CXX)\n"
      "find_package(skillpipe 0.4 REQUIRED)\nenable_testing()\n";
  for (const auto& k : kinds)
    if (k != "judge") lists += "add_subdirectory(sp_" + k + ")\n";
  skillpipe::testing::write_text(dir + "/CMakeLists.txt", lists);
  r = configure(dir, t.file("build-all"));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  r = build(t.file("build-all"));
  ASSERT_EQ(r.exit_code, 0) << show(r);
  r = ctest(t.file("build-all"));
  EXPECT_EQ(r.exit_code, 0) << show(r);
  EXPECT_NE(r.out.find("100% tests passed, 0 tests failed out of 5"), std::string::npos) << r.out;
}
