// The scratch home: what each CLI is given, and how authentication gets in.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "agent_command.hpp"
#include "agent_home.hpp"
#include "lab.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(AgentAuth, ApiKeyFromTheEnvironmentOrLoginFileReadOnly) {
  TempDir tmp;
  ::setenv("SKILLPIPE_TEST_KEY", "sk-test-123", 1);
  AuthPlan key = plan_auth(Agent::kClaude, {AuthMode::kAuto, "SKILLPIPE_TEST_KEY", tmp.file("none.json")});
  EXPECT_TRUE(key.usable);
  EXPECT_TRUE(has(key.env, "ANTHROPIC_API_KEY=sk-test-123"));
  EXPECT_EQ(key.described.find("sk-test"), std::string::npos) << "the description never shows the key";
  ::unsetenv("SKILLPIPE_TEST_KEY");
  AuthPlan none = plan_auth(Agent::kCodex, {AuthMode::kAuto, "SKILLPIPE_TEST_KEY", tmp.file("none.json")});
  EXPECT_FALSE(none.usable);
  EXPECT_NE(none.why.find("$SKILLPIPE_TEST_KEY"), std::string::npos) << none.why;
  write_text(tmp.file("auth.json"), "{\"tokens\":{}}");
  AuthPlan login = plan_auth(Agent::kCodex, {AuthMode::kAuto, "SKILLPIPE_TEST_KEY", tmp.file("auth.json")});
  ASSERT_TRUE(login.usable);
  HomeSpec spec;
  spec.agent = Agent::kCodex;
  spec.auth = login;
  AgentHome h = create_agent_home(tmp.file("r"), spec);
  EXPECT_EQ(read_text(h.config_dir + "/auth.json"), "{\"tokens\":{}}");
  struct stat st{};
  ASSERT_EQ(::stat((h.config_dir + "/auth.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0400u);
  EXPECT_EQ(read_text(tmp.file("auth.json")), "{\"tokens\":{}}");
}

TEST(AgentHomeDirs, ClaudeGetsItsConfigDirAndQuietSettings) {
  TempDir tmp;
  HomeSpec spec;
  spec.agent = Agent::kClaude;
  spec.auth.env = {"ANTHROPIC_API_KEY=x"};
  spec.endpoint.base_url = "http://127.0.0.1:9";
  spec.endpoint.max_retries = 0;
  AgentHome h = create_agent_home(tmp.file("r"), spec);
  EXPECT_TRUE(has(h.env, "HOME=" + tmp.file("r/home")));
  EXPECT_TRUE(has(h.env, "CLAUDE_CONFIG_DIR=" + tmp.file("r/home/.claude")));
  EXPECT_TRUE(has(h.env, "TMPDIR=" + tmp.file("r/tmp")));
  EXPECT_TRUE(has(h.env, "ANTHROPIC_BASE_URL=http://127.0.0.1:9"));
  EXPECT_TRUE(has(h.env, "CLAUDE_CODE_MAX_RETRIES=0"));
  EXPECT_TRUE(fs::is_directory(h.config_dir));
  EXPECT_NE(read_text(h.home + "/.gitconfig").find("skillpipe replay"), std::string::npos);
}

TEST(AgentHomeDirs, CodexConfigNamesTheProviderAndTrustsTheWorkspace) {
  HomeSpec spec;
  spec.agent = Agent::kCodex;
  spec.model = "gpt-5.5";
  spec.endpoint.base_url = "http://127.0.0.1:9/v1";
  spec.endpoint.max_retries = 0;
  spec.api_key_env = "SKILLPIPE_MODEL_KEY";
  spec.trusted_dirs = {"/ws/a \"b\""};
  const std::string t = codex_config_toml(spec);
  EXPECT_NE(t.find("model = \"gpt-5.5\""), std::string::npos) << t;
  EXPECT_NE(t.find("model_provider = \"skillpipe\""), std::string::npos) << t;
  EXPECT_NE(t.find("base_url = \"http://127.0.0.1:9/v1\""), std::string::npos) << t;
  EXPECT_NE(t.find("env_key = \"SKILLPIPE_MODEL_KEY\""), std::string::npos) << t;
  EXPECT_NE(t.find("sandbox_mode = \"workspace-write\""), std::string::npos) << t;
  EXPECT_NE(t.find("[projects.\"/ws/a \\\"b\\\"\"]"), std::string::npos) << t;
  EXPECT_NE(t.find("request_max_retries = 0"), std::string::npos) << t;
}

TEST(AgentCommand, FlagsPerAgent) {
  AgentCommandSettings c;
  c.agent = Agent::kClaude;
  c.binary = "/x/claude";
  c.max_turns = 7;
  c.model = "claude-sonnet-4-5";
  auto a = agent_argv(c, "/ws", true);
  EXPECT_EQ(a[0], "/x/claude");
  EXPECT_TRUE(has(a, "stream-json"));
  EXPECT_TRUE(has(a, "--verbose"));
  EXPECT_TRUE(has(a, "acceptEdits"));
  EXPECT_TRUE(has(a, "--strict-mcp-config"));
  EXPECT_TRUE(has(a, "7"));
  EXPECT_TRUE(has(a, "claude-sonnet-4-5"));
  const auto input = std::find(a.begin(), a.end(), "--input-format");
  ASSERT_NE(input, a.end()) << "the prompt comes as a stream-json message, so the CLI can start before it";
  EXPECT_EQ(*(input + 1), "stream-json");
  // A prompt with quotes, newlines and non-ASCII is one JSON line the CLI reads back verbatim.
  const std::string line = agent_input(Agent::kClaude, "fix \"a\"\nüber");
  EXPECT_EQ(line, "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"fix \\\"a\\\"\\nüber\"}}\n");
  EXPECT_EQ(agent_input(Agent::kCodex, "fix it"), "fix it");
  EXPECT_TRUE(starts_before_input(Agent::kClaude));
  EXPECT_FALSE(starts_before_input(Agent::kCodex));
  c.agent = Agent::kCodex;
  a = agent_argv(c, "/ws", false);
  EXPECT_EQ(a[1], "exec");
  EXPECT_TRUE(has(a, "workspace-write"));
  EXPECT_TRUE(has(a, "--skip-git-repo-check"));
  EXPECT_EQ(a.back(), "-");
  EXPECT_EQ(parse_version_output(Agent::kClaude, "2.1.197 (Claude Code)\n"), "2.1.197");
  EXPECT_EQ(parse_version_output(Agent::kCodex, "codex-cli 0.171.0\n"), "0.171.0");
  EXPECT_EQ(parse_version_output(Agent::kCodex, "nonsense"), "");
}

TEST(AgentCommand, VersionOfAnUntestedCliIsAWarning) {
  TempDir tmp;
  write_text(tmp.file("claude"), "#!/bin/sh\necho '9.9.9 (Claude Code)'\n");
  fs::permissions(tmp.file("claude"), fs::perms::owner_all);
  AgentCommandSettings c;
  c.binary = tmp.file("claude");
  VersionCheck v = check_version(c, {"PATH=/usr/bin:/bin"});
  EXPECT_EQ(v.version, "9.9.9");
  EXPECT_FALSE(v.tested);
  EXPECT_NE(v.warning.find("not the tested version 2.1.197"), std::string::npos) << v.warning;
}

}  // namespace
}  // namespace skillpipe::backend_agent
