#include "lab.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "confinement.hpp"
#include "skill_agent.hpp"
#include "skills.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"
#include "workspace.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent::lab {

std::string git(const std::string& dir, const std::vector<std::string>& args, const std::string& date) {
  std::vector<std::string> env{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t",
                               "GIT_COMMITTER_EMAIL=t@t"};
  if (!date.empty()) env.insert(env.end(), {"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date});
  GitResult r = run_git(dir, args, env);
  if (r.exit_code != 0) throw std::runtime_error("git failed in " + dir + ": " + r.err);
  return trim(r.out);
}

std::string make_regen_project(const std::string& dir) {
  using testing::write_text;
  fs::create_directories(dir);
  write_text(dir + "/schema.txt", "name\nid\nemail\n");
  write_text(dir + "/generated/fields.txt", "id\nname\n");
  write_text(dir + "/tools/regen.sh", "#!/bin/sh\nset -e\nmkdir -p generated\nsort schema.txt > generated/fields.txt\n");
  write_text(dir + "/tests/check.sh", "#!/bin/sh\nsort schema.txt | cmp -s - generated/fields.txt\n");
  git(dir, {"init", "-q", "-b", "main"});
  git(dir, {"add", "-A"});
  git(dir, {"commit", "-qm", "add email to the schema"}, "2026-11-20T10:00:00Z");
  return git(dir, {"rev-parse", "HEAD"});
}

std::string agent_binary(Agent agent) {
  const char* v = std::getenv(agent == Agent::kClaude ? "SKILLPIPE_CLAUDE_BIN" : "SKILLPIPE_CODEX_BIN");
  return v && *v ? v : std::string();
}

std::string missing_agent_message(Agent agent) {
  return std::string(agent == Agent::kClaude ? "SKILLPIPE_CLAUDE_BIN" : "SKILLPIPE_CODEX_BIN") +
         " is not set; run `eval \"$(scripts/agent_clis.sh --print-env)\"`";
}

bool agents_required() {
  const char* v = std::getenv("SKILLPIPE_REQUIRE_AGENTS");
  return v && std::string(v) == "1";
}

std::string test_bwrap() {
  const char* v = std::getenv("SKILLPIPE_BWRAP");
  return find_bwrap(v ? v : "");
}

std::map<std::string, std::string> fingerprint(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = sha256_hex(testing::read_text(e.path().string()));
  return out;
}

std::vector<rapidjson::Document> read_jsonl(const std::string& path) {
  std::vector<rapidjson::Document> out;
  std::istringstream in(testing::read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (trim(line).empty()) continue;
    out.emplace_back();
    out.back().Parse(line.c_str());
  }
  return out;
}

TaskRecord regen_task(const std::string& id, const std::string& project) {
  TaskRecord t;
  t.id = id;
  t.project = project;
  t.intent = kTask;
  t.split = Split::kVal;
  t.reference_kind = ReferenceKind::kRule;
  t.judge.kind = ReferenceKind::kRule;
  RuleCheck c;
  c.op = RuleOp::kCheckCommand;
  c.arg = kCheck;
  t.judge.checks = {c};
  return t;
}

model_server::PolicyPtr skill_model(int delay_ms) {
  model_server::SkillAgentOptions o;
  o.default_commands = {"ls"};
  o.ignore_skills = model_server::cli_bundled_skills();
  auto policy = std::make_shared<model_server::SkillAgentPolicy>(o);
  if (delay_ms <= 0) return policy;
  return std::make_shared<model_server::DelayedPolicy>(policy, delay_ms);
}

void AgentTest::SetUp() {
  if (binary().empty()) {
    if (agents_required()) FAIL() << missing_agent_message(GetParam());
    GTEST_SKIP() << missing_agent_message(GetParam());
  }
  server_ = std::make_unique<model_server::ModelServer>(skill_model());
}

std::string AgentTest::model_url() const { return claude() ? server_->base_url() : server_->openai_base_url(); }

std::string agent_param_name(const ::testing::TestParamInfo<Agent>& info) {
  return info.param == Agent::kClaude ? "Claude" : "Codex";
}

}  // namespace skillpipe::backend_agent::lab
