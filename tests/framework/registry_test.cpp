#include <gtest/gtest.h>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

using namespace skillpipe;
using namespace skillpipe::host;

TEST(Registry, LoadsEveryFixtureKindAndCreatesStages) {
  PluginRegistry reg({FX_GOOD_DIR});
  const auto found = reg.discover();
  EXPECT_EQ(found.size(), 5u);
  for (const char* name : {"fx_harvest", "fx_miner", "fx_judge", "fx_consolidate", "fx_backend"}) {
    const auto& lp = reg.load(name);
    EXPECT_EQ(std::string(lp.desc->name), name);
    EXPECT_EQ(lp.desc->abi_major, static_cast<unsigned>(SKILLPIPE_ABI_MAJOR));
    EXPECT_NE(lp.path.find(FX_GOOD_DIR), std::string::npos);
  }
  Services svc;
  BasicContext ctx("h", RunInfo{}, &svc);
  auto h = reg.create_as<Harvester>("fx_harvest");
  h->configure(Config::parse(R"({"count":4})"), ctx);
  EXPECT_EQ(skillpipe::testing::conformance::harvest_all(*h, ctx).size(), 4u);
  EXPECT_EQ(ctx.counts().at("emitted"), 4);
  EXPECT_THROW(reg.create_as<Judge>("fx_harvest"), PluginLoadError);
}

TEST(Registry, StageOutlivesRegistry) {
  // The object's deleter owns its library: destroying the registry first must not unmap it.
  std::shared_ptr<Judge> judge;
  {
    PluginRegistry reg({FX_GOOD_DIR});
    judge = reg.create_as<Judge>("fx_judge");
  }
  Services svc;
  BasicContext ctx("j", RunInfo{}, &svc);
  judge->configure(Config::parse(R"({"needle":"ok"})"), ctx);
  ReplayResult r;
  r.response = "it is ok";
  EXPECT_EQ(judge->judge(TaskRecord{}, r, ctx).hard, 1.0);
  judge.reset();
}

struct BadCase {
  const char* name;
  const char* reason;
};

class RegistryRefuses : public ::testing::TestWithParam<BadCase> {};

TEST_P(RegistryRefuses, WithPathAndReason) {
  PluginRegistry reg({FX_BAD_DIR});
  const auto c = GetParam();
  try {
    reg.create(c.name);
    FAIL() << c.name << " was accepted";
  } catch (const PluginLoadError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(std::string(FX_BAD_DIR) + "/libskillpipe_" + c.name + ".so"), std::string::npos) << what;
    EXPECT_NE(what.find(c.reason), std::string::npos) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Negative, RegistryRefuses,
    ::testing::Values(BadCase{"fx_bad_abi_major", "built for plugin ABI 5.0"},
                      BadCase{"fx_newer_minor", "newer than this skillpipe"},
                      BadCase{"fx_bad_tag", "build tag 'clang99;cxx11abi=0' does not match"},
                      BadCase{"fx_name_mismatch", "declares the name 'somebody_else'"},
                      BadCase{"fx_throws", "factory threw: no licence key found"},
                      BadCase{"fx_no_entry", "missing entry symbol 'skillpipe_plugin_v2'"},
                      BadCase{"fx_undefined", "undefined symbol"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Registry, UnknownPluginListsSearchedDirs) {
  PluginRegistry reg({FX_GOOD_DIR, "/nonexistent/dir"});
  try {
    reg.load("nope");
    FAIL();
  } catch (const PluginLoadError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir"), std::string::npos);
  }
}

// docs/plugins.md §8: a plugin built for an older minor of the same major loads into a newer
// host (its descriptor ends where its minor's did); a newer minor, another major, another
// build tag or a descriptor shorter than its minor's are refused with the fix named.
TEST(Registry, DescriptorRulesFollowTheAbiPromise) {
  PluginDescriptor d{};
  d.abi_major = 7;
  d.abi_minor = 0;
  d.build_tag = "tag";
  d.struct_size = 80;
  HostAbi host{7, 1, "tag", {80, 96}};  // minor 1 appended 16 bytes to the descriptor
  EXPECT_EQ(descriptor_problem(d, host), "");  // an older minor loads
  d.abi_minor = 1;
  EXPECT_NE(descriptor_problem(d, host).find("descriptor is too small for ABI 7.1 (80 bytes, expected at least 96)"),
            std::string::npos);
  d.struct_size = 96;
  EXPECT_EQ(descriptor_problem(d, host), "");
  d.abi_minor = 2;
  EXPECT_NE(descriptor_problem(d, host).find("needs plugin ABI 7.2, newer than this skillpipe's 7.1; upgrade skillpipe"),
            std::string::npos);
  d.abi_minor = 0;
  d.abi_major = 6;
  EXPECT_NE(descriptor_problem(d, host).find("built for plugin ABI 6.0, this skillpipe speaks ABI 7.1; rebuild"),
            std::string::npos);
  d.abi_major = 7;
  d.build_tag = "other";
  EXPECT_NE(descriptor_problem(d, host).find("build tag 'other' does not match this skillpipe's 'tag'"),
            std::string::npos);
  // This host: its own minors, its own descriptor.
  const HostAbi real;
  EXPECT_EQ(real.descriptor_sizes.size(), static_cast<std::size_t>(SKILLPIPE_ABI_MINOR) + 1);
  EXPECT_EQ(real.descriptor_sizes.back(), sizeof(PluginDescriptor));
}
