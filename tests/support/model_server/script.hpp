// script.hpp - a declarative script (YAML or JSON, read with yaml-cpp) as a Policy: ordered
// rules "when <conditions on what the CLI sent> -> reply", first match wins, and the
// built-in skill agent for whatever no rule matches. The format is documented with examples
// in tests/support/model_server/README.md.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "policy.hpp"
#include "regex.hpp"
#include "skill_agent.hpp"

namespace skillpipe::model_server {

struct Condition {
  std::optional<Api> api;
  std::optional<Regex> user;         // the latest text the user typed
  std::optional<Regex> tool_result;  // the request ends with a tool result whose text matches
  std::optional<Regex> context;      // some system prompt or injected context matches
  std::optional<int> step;           // tool calls the model made since the latest user text
  std::optional<int> turn;           // user prompts so far (1 = first)
  std::optional<bool> last_failed;   // the request ends with a failed tool result (or not)
  std::optional<std::string> tool_offered;
  bool matches(const Conversation& c) const;
};

// A reply with templates: in text, command, write and every string of a tool input,
// {{user}} {{last_output}} {{last_output_line}} {{exit_code}} {{last_command}} {{cwd}} are
// replaced from the request.
struct ReplySpec {
  std::string text;
  std::string command;  // a call of the CLI's shell tool
  std::string tool;     // a call of this tool with `input`
  YAML::Node input;
  std::string skill;    // load this skill the CLI's way (Skill call / cat SKILL.md)
  std::string write_path, write_content;  // write a file the CLI's way (Write / here-doc)
  bool agent = false;   // let the skill agent decide this step
  Reply base;           // usage, failure injection, delays
};

struct Rule {
  std::string name;  // "rules[3]" unless named
  Condition when;
  ReplySpec reply;
  int times = -1;  // fires at most this often (the only state a script keeps), -1 = always
  std::atomic<int> fired{0};
};

class ScriptPolicy : public Policy {
 public:
  // Throw std::runtime_error "FILE:LINE:COL: rules[2].reply.error.status: expected ..." .
  static std::shared_ptr<ScriptPolicy> load(const std::string& path);
  static std::shared_ptr<ScriptPolicy> parse(const std::string& text, const std::string& origin = "<script>");

  Reply decide(const Conversation& c) override;
  const std::string& id_prefix() const { return id_prefix_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  Reply render(const ReplySpec& spec, const Conversation& c) const;

  std::vector<std::unique_ptr<Rule>> rules_;
  std::shared_ptr<SkillAgentPolicy> agent_;
  Usage usage_;
  std::string id_prefix_;
  friend class ScriptLoader;
};

}  // namespace skillpipe::model_server
