// The harvester checks of skillpipe/testing/harvester_checks.hpp (what a harvester must do
// across nights with a store: a second harvest reads nothing, an appended turn is all that is
// read next, a torn last line and an unfinished last turn wait, a planted secret never comes
// out) on every JSONL harvester, each with a two-prompt session recorded from its real CLI
// (Cursor: built from the schema), split at its second prompt into a first night and a next
// turn, with a credential planted in the first prompt. The SQLite sources get the same checks
// in sqlite_harvester_checks_test.cpp.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/testing/harvester_checks.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

using conformance::check_harvester_across_nights;
using conformance::HarvesterFixture;
using conformance::Library;

constexpr const char* kSecret = "ghp_Zq8Wm3Kd7Lp2Xv9Tn4Rb6Hc1Jf5Gs0Ye8Ua3";

struct Recorded {
  const char* plugin;
  const char* folder;    // tests/data/<folder>, holding expected.json
  const char* scenario;  // the two-prompt session
  const char* home_rel;  // the agent's folder, relative to tests/data/<folder>
  const char* extra_config;
};

void PrintTo(const Recorded& r, std::ostream* os) { *os << r.plugin; }

std::string quoted(const std::string& p) {
  const std::string q = json_quote(p);
  return q.substr(1, q.size() - 2);
}

// The session's file relative to tests/data/<folder>: agents/ list `files`, cli/ `home`+`file`.
std::string session_file(const rapidjson::Value& s) {
  if (s.HasMember("files")) return s["files"][0].GetString();
  return std::string(s["home"].GetString()) + "/" + s["file"].GetString();
}

// Everything before the line of the second prompt is the first night; that line and the rest
// are the next turn.
HarvesterFixture split_at_second_prompt(const Recorded& r) {
  const std::string dir = test_data_dir() + "/" + r.folder;
  rapidjson::Document doc;
  doc.Parse(read_file(dir + "/expected.json").value_or("{}").c_str());
  for (const auto& s : doc["sessions"].GetArray()) {
    if (std::string(s["scenario"].GetString()) != r.scenario) continue;
    if (s.HasMember("home") && std::string(s["home"].GetString()) != r.home_rel) continue;  // cli/: both agents
    const std::string file = session_file(s);
    const std::string text = read_file(dir + "/" + file).value_or("");
    const std::string first = quoted(s["prompts"][0].GetString()), second = quoted(s["prompts"][1].GetString());
    const std::size_t at = text.find(second);
    if (at == std::string::npos) throw std::runtime_error(file + ": the second prompt is not in the file");
    const std::size_t line = text.rfind('\n', at) + 1;
    const std::size_t end = text.find('\n', at) + 1;
    HarvesterFixture fx;
    fx.file = file.substr(std::string(r.home_rel).size() + 1);
    fx.transcript = text.substr(0, line);
    for (std::size_t p = 0; (p = fx.transcript.find(first, p)) != std::string::npos; p += first.size() + 60)
      fx.transcript.insert(p + first.size(), std::string(" (token ") + kSecret + ")");
    fx.next_prompt = text.substr(line, end - line);
    fx.next_answer = text.substr(end);
    fx.secret = kSecret;
    fx.extra_config = r.extra_config;
    return fx;
  }
  throw std::runtime_error(dir + ": no session " + r.scenario);
}

class HarvesterAcrossNights : public ::testing::TestWithParam<Recorded> {};

TEST_P(HarvesterAcrossNights, CursorsAppendsTornTailsUnfinishedTurnsAndSecrets) {
  Library lib(plugin_dir() + "/libskillpipe_" + GetParam().plugin + ".so");
  EXPECT_TRUE(check_harvester_across_nights(lib, split_at_second_prompt(GetParam())));
}

const Recorded kRecorded[] = {
    {"harvest_claude", "cli", "resumed", "claude-code-2.1.197", ""},
    {"harvest_codex", "cli", "resumed", "codex-0.171.0", ""},
    {"harvest_qwen", "agents/qwen-code-0.15.10", "resume", "home/.qwen", ""},
    {"harvest_pi", "agents/pi-0.73.1", "resume", "home/.pi/agent", ""},
    {"harvest_copilot", "agents/copilot-cli-1.0.102", "resume", "home/.copilot", ""},
    {"harvest_gemini", "agents/gemini-cli-0.61.0", "resume", "home/.gemini", ""},
    // The agent transcripts live beside Cursor's User folder, not under it.
    {"harvest_cursor", "agents/cursor-schema-2026", "agent_transcript", "home", "\"transcripts\":\"@HOME@/.cursor/projects\""},
};

INSTANTIATE_TEST_SUITE_P(Recorded, HarvesterAcrossNights, ::testing::ValuesIn(kRecorded),
                         [](const auto& info) { return std::string(info.param.plugin); });

}  // namespace
}  // namespace skillpipe::testing
