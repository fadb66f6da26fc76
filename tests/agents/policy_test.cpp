// The scripted model's decisions without HTTP: request parsing, skill listings as the pinned
// CLIs send them, the matching rule, skill bodies, the skill agent's steps and scripts.
#include <gtest/gtest.h>

#include <string>

#include "agent_tools.hpp"
#include "conversation.hpp"
#include "script.hpp"
#include "skill_agent.hpp"
#include "skills.hpp"

namespace skillpipe::model_server {
namespace {

// The shape Claude Code 2.1.197 sends (trimmed): a system-reminder block before the prompt,
// the skill listing in a mid-conversation `system` message, the Skill and Bash tools.
std::string claude_request(const std::string& prompt, const std::string& tail_messages = "") {
  return R"({"model":"claude-opus-4-8","stream":true,
    "system":[{"type":"text","text":"You are a Claude agent.\n - Primary working directory: /work/ws\n"}],
    "messages":[
      {"role":"user","content":[{"type":"text","text":"<system-reminder>\ncontext\n</system-reminder>\n"},
                                {"type":"text","text":")" + prompt + R"("}]},
      {"role":"system","content":"Available agent types...\n\nThe following skills are available for use with the Skill tool:\n\n- release-notes: Write the release notes from the merged pull requests of this repository.\n- claude-api: Reference for the Claude API.\nTRIGGER — read BEFORE opening the target file\n- run: Launch and drive this project's app."})" +
         tail_messages + R"(],
    "tools":[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"},"description":{"type":"string"}}}},
             {"name":"Skill","input_schema":{"type":"object","properties":{"skill":{"type":"string"},"args":{"type":"string"}}}},
             {"name":"Write","input_schema":{"type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}}}}]})";
}

// The shape Codex 0.171.0 sends (trimmed): developer messages with <skills_instructions>,
// an <environment_context> user message, then the prompt; exec_command {cmd}.
std::string codex_request(const std::string& prompt, const std::string& tail_items = "") {
  return R"({"model":"gpt-5.5","stream":true,"input":[
      {"type":"message","role":"developer","content":[{"type":"input_text","text":"You are Codex."}]},
      {"type":"message","role":"developer","content":[{"type":"input_text","text":"<skills_instructions>\n## Skills\n### Skill roots\n- `r0` = `/home/u/.codex/skills/.system`\n- `r1` = `/work/ws/.agents/skills`\n### Available skills\n- skill-creator: Create or update a Codex skill. (file: r0/skill-creator/SKILL.md)\n- release-notes: Write the release notes from the merged pull requests of this repository. (file: r1/release-notes/SKILL.md)\n</skills_instructions>"}]},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>\n  <cwd>/work/ws</cwd>\n</environment_context>"}]},
      {"type":"message","role":"user","content":[{"type":"input_text","text":")" +
         prompt + R"("}]})" + tail_items + R"(],
    "tools":[{"type":"function","name":"exec_command","parameters":{"type":"object","properties":{"cmd":{"type":"string"},"workdir":{"type":"string"}}}},
             {"type":"custom","name":"apply_patch"},
             {"type":"namespace","name":"multi_agent_v1","tools":[{"type":"function","name":"spawn_agent","parameters":{"type":"object","properties":{}}}]},
             {"type":"web_search"}]})";
}

std::string claude_tool_round(const std::string& id, const std::string& name, const std::string& input,
                              const std::string& result, bool is_error, const std::string& extra_text = "") {
  std::string s = R"(,{"role":"assistant","content":[{"type":"tool_use","id":")" + id + R"(","name":")" + name +
                  R"(","input":)" + input + R"(}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":")" + id +
                  R"(","content":")" + result + R"(","is_error":)" + (is_error ? "true" : "false") + "}";
  if (!extra_text.empty()) s += R"(,{"type":"text","text":")" + extra_text + R"("})";
  return s + "]}";
}

std::string codex_tool_round(const std::string& id, const std::string& cmd, int exit, const std::string& out) {
  return R"(,{"type":"function_call","name":"exec_command","arguments":"{\"cmd\":\")" + cmd + R"(\"}","call_id":")" + id +
         R"("},{"type":"function_call_output","call_id":")" + id + R"(","output":"Chunk ID: 1\nWall time: 0.1 seconds\nProcess exited with code )" +
         std::to_string(exit) + R"(\nOriginal token count: 3\nOutput:\n)" + out + R"("})";
}

TEST(ModelServerConversation, ParsesClaudeRequestIntoUserTextContextAndTools) {
  Conversation c = parse_anthropic(claude_request("write the release notes"));
  EXPECT_EQ(c.api, Api::kAnthropic);
  EXPECT_TRUE(c.stream);
  EXPECT_EQ(c.latest_user_text(), "write the release notes");
  EXPECT_EQ(c.user_turns(), 1);
  ASSERT_NE(c.tool("Bash"), nullptr);
  EXPECT_EQ(c.tool("Bash")->properties, (std::vector<std::string>{"command", "description"}));
  EXPECT_EQ(working_directory(c), "/work/ws");
  EXPECT_EQ(c.context_texts().size(), 3u);  // system prompt, system-reminder, listing
}

TEST(ModelServerConversation, ParsesCodexRequestAndFlattensToolNamespaces) {
  Conversation c = parse_responses(codex_request("write the release notes"));
  EXPECT_EQ(c.api, Api::kResponses);
  EXPECT_EQ(c.latest_user_text(), "write the release notes");
  EXPECT_EQ(c.user_turns(), 1);  // <environment_context> is context, not a prompt
  EXPECT_NE(c.tool("spawn_agent"), nullptr);
  EXPECT_NE(c.tool("apply_patch"), nullptr);
  EXPECT_EQ(working_directory(c), "/work/ws");
}

TEST(ModelServerConversation, ReadsExitCodesOfBothClis) {
  Conversation claude = parse_anthropic(claude_request(
      "x", claude_tool_round("t1", "Bash", R"({"command":"cat nope"})", "Exit code 2\\ncat: nope: No such file", true)));
  const Item* r = claude.last_tool_result();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(exit_code_of(*r), 2);
  EXPECT_EQ(result_output(*r), "cat: nope: No such file");
  Conversation codex = parse_responses(codex_request("x", codex_tool_round("c1", "false", 1, "")));
  ASSERT_NE(codex.last_tool_result(), nullptr);
  EXPECT_EQ(exit_code_of(*codex.last_tool_result()), 1);
  EXPECT_EQ(shell_command_of(codex.items[codex.items.size() - 2]), "false");
}

TEST(ModelServerConversation, ReadsQwenCodeShellResults) {
  // as Qwen Code 0.15.10 sends a run_shell_command result over Chat Completions
  Conversation c = parse_chat(R"({"model":"m","messages":[{"role":"user","content":"list"},
    {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"run_shell_command","arguments":"{\"command\":\"ls x\"}"}}]},
    {"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"Command: ls x\nDirectory: (root)\nOutput: ls: cannot access 'x'\nError: (none)\nExit Code: 2\nSignal: 0"}]}],
    "tools":[{"type":"function","function":{"name":"run_shell_command","parameters":{"properties":{"command":{"type":"string"},"description":{"type":"string"}}}}}]})");
  const Item* r = c.last_tool_result();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(exit_code_of(*r), 2);
  EXPECT_EQ(result_output(*r), "ls: cannot access 'x'");
  EXPECT_EQ(shell_command_of(c.items[1]), "ls x");
  EXPECT_EQ(shell_call(c, "pwd")->input_json, R"({"command":"pwd","description":"Run pwd"})");
}

TEST(ModelServerConversation, RejectsBodiesThatAreNotTheApisShape) {
  EXPECT_THROW(parse_anthropic("not json"), std::runtime_error);
  EXPECT_THROW(parse_anthropic(R"({"model":"m"})"), std::runtime_error);
  EXPECT_THROW(parse_responses(R"({"model":"m"})"), std::runtime_error);
  EXPECT_THROW(parse_chat(R"({"messages":{}})"), std::runtime_error);
}

TEST(ModelServerSkills, FindsClaudeListingWithMultiLineDescriptions) {
  auto skills = listed_skills(parse_anthropic(claude_request("x")));
  ASSERT_EQ(skills.size(), 3u);
  EXPECT_EQ(skills[0].name, "release-notes");
  EXPECT_EQ(skills[0].description, "Write the release notes from the merged pull requests of this repository.");
  EXPECT_EQ(skills[1].description, "Reference for the Claude API. TRIGGER — read BEFORE opening the target file");
  EXPECT_TRUE(skills[0].path.empty());
}

TEST(ModelServerSkills, FindsCodexListingAndExpandsSkillRoots) {
  auto skills = listed_skills(parse_responses(codex_request("x")));
  ASSERT_EQ(skills.size(), 2u);
  EXPECT_EQ(skills[1].name, "release-notes");
  EXPECT_EQ(skills[1].description, "Write the release notes from the merged pull requests of this repository.");
  EXPECT_EQ(skills[1].path, "/work/ws/.agents/skills/release-notes/SKILL.md");
  EXPECT_EQ(skills[0].path, "/home/u/.codex/skills/.system/skill-creator/SKILL.md");
}

TEST(ModelServerSkills, MatchingRuleIsWordOverlapAboveThreshold) {
  std::vector<ListedSkill> skills = {{"deploy", "Deploy the web app to staging.", ""},
                                     {"release-notes", "Write the release notes from the merged pull requests.", ""}};
  EXPECT_EQ(content_words("Write THE release-notes, please!"), (std::vector<std::string>{"write", "release", "note"}));
  auto m = best_skill("write the release notes from the merged PRs", skills, 0.5, 2);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->skill.name, "release-notes");
  EXPECT_EQ(m->shared, 4);  // write, release, note, merged (of write release note merged prs)
  EXPECT_DOUBLE_EQ(m->score, 0.8);
  EXPECT_FALSE(best_skill("fix the flaky login test", skills, 0.5, 2));
  EXPECT_FALSE(best_skill("release it", skills, 0.5, 2));  // one shared word is not enough
  EXPECT_FALSE(best_skill("write the release notes", skills, 0.5, 2, {"release-notes"}));
}

TEST(ModelServerSkills, CommandsFromFencedBlocksAndRunLines) {
  std::string body = R"(---
name: x
description: y
---
# Release notes
Run:
```bash
# a comment
$ git log --oneline --merges > RELEASE_NOTES.md
make notes
```
```python
print("not a shell block")
```
1. Run `scripts/check.sh --fast` afterwards.
- Run: ./publish.sh
Running the tests is not a command line.
)";
  EXPECT_EQ(strip_frontmatter(body).substr(0, 15), "# Release notes");
  EXPECT_EQ(skill_commands(strip_frontmatter(body)),
            (std::vector<std::string>{"git log --oneline --merges > RELEASE_NOTES.md", "make notes",
                                      "scripts/check.sh --fast", "./publish.sh"}));
}

TEST(ModelServerSkillAgent, ClaudeLoadsTheSkillThenRunsItsCommandThenReports) {
  SkillAgentPolicy agent;
  std::string task = "write the release notes from the merged PRs";
  Reply r1 = agent.decide(parse_anthropic(claude_request(task)));
  ASSERT_EQ(r1.tool_calls.size(), 1u);
  EXPECT_EQ(r1.tool_calls[0].name, "Skill");
  EXPECT_EQ(r1.tool_calls[0].input_json, R"({"skill":"release-notes"})");
  std::string loaded = claude_tool_round("t1", "Skill", R"({"skill":"release-notes"})", "Launching skill: release-notes",
                                         false,
                                         "Base directory for this skill: /work/ws/.claude/skills/release-notes\\n\\n"
                                         "# Notes\\nRun:\\n```bash\\ngit log --merges > RELEASE_NOTES.md\\n```\\n");
  Reply r2 = agent.decide(parse_anthropic(claude_request(task, loaded)));
  ASSERT_EQ(r2.tool_calls.size(), 1u);
  EXPECT_EQ(r2.tool_calls[0].name, "Bash");
  EXPECT_EQ(r2.tool_calls[0].input_json,
            R"({"command":"git log --merges > RELEASE_NOTES.md","description":"Run git log --merges > RELEASE_NOTES.md"})");
  std::string ran = loaded + claude_tool_round("t2", "Bash", R"({"command":"git log --merges > RELEASE_NOTES.md"})",
                                               "(Bash completed with no output)", false);
  Reply r3 = agent.decide(parse_anthropic(claude_request(task, ran)));
  EXPECT_TRUE(r3.tool_calls.empty());
  EXPECT_EQ(r3.text, "Done. I followed the release-notes skill and ran `git log --merges > RELEASE_NOTES.md`.");
}

TEST(ModelServerSkillAgent, CodexReadsSkillFileWithItsShellTool) {
  SkillAgentPolicy agent;
  std::string task = "write the release notes from the merged PRs";
  Reply r1 = agent.decide(parse_responses(codex_request(task)));
  ASSERT_EQ(r1.tool_calls.size(), 1u);
  EXPECT_EQ(r1.tool_calls[0].name, "exec_command");
  EXPECT_EQ(r1.tool_calls[0].input_json, R"({"cmd":"cat /work/ws/.agents/skills/release-notes/SKILL.md"})");
  std::string loaded = codex_tool_round("c1", "cat /work/ws/.agents/skills/release-notes/SKILL.md", 0,
                                        "---\\nname: release-notes\\n---\\nRun: `git log --oneline --merges`\\n");
  Reply r2 = agent.decide(parse_responses(codex_request(task, loaded)));
  ASSERT_EQ(r2.tool_calls.size(), 1u);
  EXPECT_EQ(r2.tool_calls[0].input_json, R"({"cmd":"git log --oneline --merges"})");
}

TEST(ModelServerSkillAgent, StopsAtAFailedCommandAndSaysSo) {
  SkillAgentOptions o;
  o.default_commands = {"cat does-not-exist.md", "echo never"};
  SkillAgentPolicy agent(o);
  std::string task = "summarize the design doc";
  Reply r1 = agent.decide(parse_responses(codex_request(task)));
  ASSERT_EQ(r1.tool_calls.size(), 1u);  // no skill matches: the naive path
  EXPECT_EQ(r1.tool_calls[0].input_json, R"({"cmd":"cat does-not-exist.md"})");
  std::string failed = codex_tool_round("c1", "cat does-not-exist.md", 1, "cat: does-not-exist.md: No such file or directory");
  Reply r2 = agent.decide(parse_responses(codex_request(task, failed)));
  EXPECT_TRUE(r2.tool_calls.empty());
  EXPECT_EQ(r2.text,
            "I could not finish the task: `cat does-not-exist.md` failed with exit code 1: cat: does-not-exist.md: No "
            "such file or directory");
}

TEST(ModelServerSkillAgent, AnswersTheDefaultWhenNothingMatchesAndNothingIsConfigured) {
  SkillAgentOptions o;
  o.default_answer = "Nothing to do.";
  o.usage.output_tokens = 7;
  SkillAgentPolicy agent(o);
  Reply r = agent.decide(parse_anthropic(claude_request("what time is it")));
  EXPECT_EQ(r.text, "Nothing to do.");
  EXPECT_EQ(r.usage.output_tokens, 7);
  EXPECT_EQ(r.rule, "skill_agent:answer");
}

TEST(ModelServerScript, RulesMatchOnWhatTheCliSent) {
  auto p = ScriptPolicy::parse(R"Y(
usage: {input_tokens: 50, output_tokens: 5}
rules:
  - name: fail-first
    when: {user: "(?i)flaky"}
    times: 1
    reply: {error: {status: 529}}
  - when: {user: "(?i)summari[sz]e", step: 0}
    reply: {command: "cat does-not-exist.md"}
  - when: {last_failed: true}
    reply: "I could not find it: {{last_output_line}} (exit {{exit_code}}, ran {{last_command}})"
  - when: {user: "notes", api: anthropic}
    reply: {write: {path: NOTES.md, content: "in {{cwd}}"}}
  - when: {user: "tool"}
    reply: {tool: Edit, input: {file_path: "a.txt", replace_all: true, n: 3, s: "3", old: "{{user}}"}}
)Y");
  Reply flaky = p->decide(parse_anthropic(claude_request("a flaky one")));
  EXPECT_EQ(flaky.status, 529);
  EXPECT_EQ(flaky.rule, "fail-first");
  EXPECT_EQ(p->decide(parse_anthropic(claude_request("a flaky one"))).rule, "skill_agent:answer");  // times: 1
  Reply cmd = p->decide(parse_responses(codex_request("summarize it")));
  ASSERT_EQ(cmd.tool_calls.size(), 1u);
  EXPECT_EQ(cmd.tool_calls[0].input_json, R"({"cmd":"cat does-not-exist.md"})");
  EXPECT_EQ(cmd.usage.input_tokens, 50);
  Reply said = p->decide(parse_responses(codex_request("summarize it", codex_tool_round("c", "cat does-not-exist.md", 1, "cat: no"))));
  EXPECT_EQ(said.text, "I could not find it: cat: no (exit 1, ran cat does-not-exist.md)");
  Reply write = p->decide(parse_anthropic(claude_request("notes")));
  ASSERT_EQ(write.tool_calls.size(), 1u);
  EXPECT_EQ(write.tool_calls[0].input_json, R"({"file_path":"/work/ws/NOTES.md","content":"in /work/ws"})");
  Reply tool = p->decide(parse_anthropic(claude_request("tool")));
  EXPECT_EQ(tool.tool_calls[0].input_json, R"({"file_path":"a.txt","replace_all":true,"n":3,"s":"3","old":"tool"})");
}

TEST(ModelServerScript, ErrorsNameFileLineFieldAndWhatWasExpected) {
  auto message = [](const std::string& text) {
    try {
      ScriptPolicy::parse(text, "s.yaml");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("rules:\n  - reply: ok\n    wen: {}\n"),
            "s.yaml:3:5: rules[0]: unknown key 'wen' (allowed: name, when, reply, times)");
  EXPECT_EQ(message("rules:\n  - when: {user: \"(\"}\n    reply: ok\n").substr(0, 34), "s.yaml:2:18: rules[0].when.user: b");
  EXPECT_EQ(message("rules:\n  - reply: {error: {status: abc}}\n"),
            "s.yaml:2:29: rules[0].reply.error.status: expected an integer, got 'abc'");
  EXPECT_EQ(message("rules:\n  - reply: {command: ls, skill: x}\n"),
            "s.yaml:2:12: rules[0].reply: give at most one of command, tool, skill, write, agent");
  EXPECT_EQ(message("rules: [\n"), "s.yaml:2:1: not valid YAML/JSON: end of sequence flow not found");
}

TEST(ModelServerScript, JsonScriptsWorkToo) {
  auto p = ScriptPolicy::parse(R"({"rules": [{"when": {"user": "hi"}, "reply": {"text": "hello"}}]})");
  EXPECT_EQ(p->decide(parse_chat(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})")).text, "hello");
}

}  // namespace
}  // namespace skillpipe::model_server
