// A hand-off night through the CLI: the night stops with exit 4 and PROMPTS.md, the user
// answers in answers/<id>.md, and re-running the same command resumes the same night until it
// finishes - with the pending prompts pinned, and no finished stage redone.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>

#include "test_support.hpp"

namespace skillpipe {
namespace {

using testing::read_text;
using testing::run_skillpipe;
using testing::TempDir;
using testing::write_text;

TEST(NightHandoff, StopsWithExitFourAndResumesWithTheAnswers) {
  TempDir tmp;
  // The experiment's night with the hand-off backend in place of the mock model.
  const std::string pipe = tmp.file("handoff.yaml");
  write_text(pipe, "skillpipe: 1\n"
                   "store: {plugin: store_files}\n"
                   "backends:\n"
                   "  user: {plugin: backend_handoff}\n"
                   "stages:\n"
                   "  - id: mine\n"
                   "    plugin: mine_personas\n"
                   "    config: {fixture: \"" + testing::source_dir() + "/pipelines/experiment_personas.json\", persona: researcher}\n"
                   "  - {id: judge, plugin: judge_exact, inputs: [mine]}\n"
                   "  - id: consolidate\n"
                   "    plugin: consolidate_reflect\n"
                   "    inputs: [mine, judge]\n"
                   "    config: {backend: user, targets: [claude_skill, claude_memory], fanout: false}\n");
  std::filesystem::create_directories(tmp.file("proj"));
  const std::vector<std::string> args = {"run", pipe, "--project", tmp.file("proj"), "--store", tmp.file("store"),
                                         "--json"};
  std::string night_dir;
  int rounds = 0;
  testing::CommandResult r;
  for (; rounds < 8; ++rounds) {
    r = run_skillpipe(args);
    if (r.exit_code != 4) break;
    rapidjson::Document s;
    s.Parse(r.out.c_str());
    ASSERT_TRUE(s.IsObject()) << r.out << r.err;
    const std::string dir = s["night_dir"].GetString();
    if (night_dir.empty()) night_dir = dir;
    EXPECT_EQ(dir, night_dir) << "a resumed hand-off night must stay the same night";
    EXPECT_NE(r.err.find("PROMPTS.md"), std::string::npos) << r.err;
    rapidjson::Document pending;
    pending.Parse(read_text(dir + "/pending.json").c_str());
    ASSERT_TRUE(pending.IsObject() && pending["prompts"].IsArray());
    int open = 0;
    for (const auto& p : pending["prompts"].GetArray()) {
      if (p["answered"].GetBool()) continue;
      ++open;
      const std::string purpose = p["purpose"].GetString();
      // Replays answer with the right answer for one task family only; reflection proposes nothing.
      write_text(dir + "/" + p["answer_file"].GetString(), purpose == "reflect" ? R"({"edits":[]})" : "no idea");
    }
    EXPECT_GT(open, 0) << "exit 4 with nothing left to answer";
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(rounds, 1);
  rapidjson::Document s;
  s.Parse(r.out.c_str());
  EXPECT_EQ(std::string(s["night_dir"].GetString()), night_dir);
  const std::string action = s["report"]["gate_action"].GetString();
  EXPECT_TRUE(action == "no_edits" || action == "reject") << action;
  EXPECT_TRUE(std::filesystem::exists(night_dir + "/manifest.json"));
}

}  // namespace
}  // namespace skillpipe
