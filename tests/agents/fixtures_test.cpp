// The recorded CLI fixtures (tests/data/cli, scripts/record_cli_fixtures.sh) are complete and
// consistent with expected.json, and the real request bodies they hold parse the way the
// scripted model server expects.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "conversation.hpp"
#include "skills.hpp"
#include "test_support.hpp"

namespace skillpipe::model_server {
namespace {

namespace fs = std::filesystem;

std::string cli_data(const std::string& rel) { return skillpipe::testing::test_data_dir() + "/cli/" + rel; }

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(CliFixtures, EverySessionInExpectedJsonIsThereWithItsPlantedSecrets) {
  rapidjson::Document d;
  d.Parse(slurp(cli_data("expected.json")).c_str());
  ASSERT_FALSE(d.HasParseError());
  const auto& sessions = d["sessions"];
  std::set<std::string> scenarios[2];
  for (const auto& s : sessions.GetArray()) {
    std::string file = cli_data(std::string(s["home"].GetString()) + "/" + s["file"].GetString());
    ASSERT_TRUE(fs::exists(file)) << file;
    std::string text = slurp(file);
    EXPECT_NE(text.find(s["prompts"][0].GetString()), std::string::npos) << file;
    for (const auto& secret : s["secrets"].GetArray()) {
      EXPECT_NE(text.find(secret["value"].GetString()), std::string::npos) << file;
    }
    EXPECT_TRUE(fs::exists(cli_data(s["stream"].GetString())));
    scenarios[std::string(s["agent"].GetString()) == "codex"].insert(s["scenario"].GetString());
  }
  for (const char* must : {"plain-success", "praise", "api-failure", "failing-command", "interrupted",
                           "secret-in-prompt", "paraphrase-1", "paraphrase-2", "paraphrase-3", "resumed"}) {
    EXPECT_TRUE(scenarios[0].count(must)) << "claude-code lacks " << must;
    EXPECT_TRUE(scenarios[1].count(must)) << "codex lacks " << must;
  }
  EXPECT_TRUE(scenarios[0].count("slash-command"));
}

TEST(CliFixtures, TheAgentHomesHoldOnlyTheListedTranscripts) {
  rapidjson::Document d;
  d.Parse(slurp(cli_data("expected.json")).c_str());
  std::set<std::string> listed;
  for (const auto& s : d["sessions"].GetArray()) {
    listed.insert(std::string(s["home"].GetString()) + "/" + s["file"].GetString());
  }
  size_t found = 0;
  for (const auto& e : fs::recursive_directory_iterator(cli_data(""))) {
    std::string rel = fs::relative(e.path(), cli_data("")).string();
    if (!e.is_regular_file() || e.path().extension() != ".jsonl") continue;
    if (rel.starts_with("streams/")) continue;
    EXPECT_TRUE(listed.count(rel)) << rel << " is not described in expected.json";
    ++found;
  }
  EXPECT_EQ(found, listed.size());
}

// The first request each CLI sent in the skill-invoked scenario, as recorded.
TEST(CliFixtures, RecordedRequestsListTheProjectSkillWhereThePolicyLooks) {
  for (const auto& entry : fs::directory_iterator(cli_data("requests"))) {
    std::string name = entry.path().filename().string();
    std::string body = slurp(entry.path().string());
    Conversation c = name.starts_with("claude-code") ? parse_anthropic(body) : parse_responses(body);
    EXPECT_EQ(c.latest_user_text(), "how many pull requests were merged into this repository?") << name;
    auto skills = listed_skills(c);
    auto it = std::find_if(skills.begin(), skills.end(), [](const ListedSkill& s) { return s.name == "merge-count"; });
    ASSERT_NE(it, skills.end()) << name;
    EXPECT_EQ(it->description, "Count the pull requests merged into this repository.");
    if (name.starts_with("codex")) {
      EXPECT_EQ(it->path, "/tmp/skillpipe-fixture/project/.agents/skills/merge-count/SKILL.md");
      EXPECT_NE(c.tool("exec_command"), nullptr);
    } else {
      EXPECT_NE(c.tool("Skill"), nullptr);
      EXPECT_NE(c.tool("Bash"), nullptr);
    }
    EXPECT_EQ(body.find("Report the number."), std::string::npos) << name << ": the body was sent unasked";
  }
}

}  // namespace
}  // namespace skillpipe::model_server
