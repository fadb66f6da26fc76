// harvest_edge_fixture.hpp - a harvester run on hand-written transcripts placed in a
// scratch home (harvest_edge_test.cpp, harvest_codex_edge_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "harvest_test_util.hpp"

namespace skillpipe::testing {

using Strings = std::vector<std::string>;
inline constexpr const char* kNow = "2026-03-03T00:00:00Z";

class HarvestEdge : public ::testing::Test {
 protected:
  // Places edge/claude/<name> in the Claude home under projects/<dir>/.
  std::string claude(const std::string& name, const std::string& dir = "-home-me-src-app") {
    std::string to = home_.file("projects/" + dir + "/" + name);
    copy_tree(harvest_data("edge/claude/" + name), to);
    return to;
  }
  std::string codex(const std::string& name, const std::string& sub = "sessions/2026/03/01") {
    std::string to = home_.file(sub + "/" + name);
    copy_tree(harvest_data("edge/codex/" + name), to);
    return to;
  }
  HarvestOutput run(const std::string& plugin, const std::string& extra = "", const std::string& project = "all",
                    const std::string& now = kNow) {
    // Test defaults, unless `extra` sets the key itself.
    std::string cfg = "{\"home\":\"" + home_.path() + "\"";
    if (!extra.empty()) cfg += "," + extra;
    for (auto [key, value] : {std::pair{"lookback_hours", "0"}, {"settle_minutes", "0"}, {"project_scope", "\"all\""}})
      if (extra.find(std::string("\"") + key + "\"") == std::string::npos &&
          !(std::string(key) == "project_scope" && extra.find("\"projects\"") != std::string::npos))
        cfg += std::string(",\"") + key + "\":" + value;
    cfg += "}";
    return harvest({plugin, cfg, project, now});
  }
  static Strings ids(const HarvestOutput& out) {
    Strings v;
    for (const auto& d : out.digests) v.push_back(d.session_id);
    return v;
  }
  TempDir home_;
};

}  // namespace skillpipe::testing
