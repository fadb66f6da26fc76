// codex_text.cpp - what in a Codex user-role text is the user's request.
#include <array>

#include "codex_parser.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest_codex {
namespace {

// User/developer-role items Codex injects before or between the user's turns.
constexpr std::array<std::string_view, 19> kPreambles = {
    "<environment_context>",  "<user_instructions>",    "# AGENTS.md instructions for",
    "<permissions instructions>", "<collaboration_mode>", "<skills_instructions>",
    "<plugins_instructions>", "<model_switch>",         "<token_budget>",
    "<skill>",                "<turn_aborted>",         "<subagent_notification>",
    "<recommended_plugins>",  "<user_shell_command>",   "<loaded_context>",
    "<INSTRUCTIONS>",         "<environment_context ",  "<apps_instructions>",
    "<personality>"};

constexpr std::string_view kRequestHeading = "## My request for Codex:";

}  // namespace

std::string clean_prompt(std::string_view text) {
  std::string t = trim(text);
  for (std::string_view p : kPreambles)
    if (starts_with(t, p)) return {};
  std::size_t h = t.find(kRequestHeading);
  if (h != std::string::npos) return trim(std::string_view(t).substr(h + kRequestHeading.size()));
  return t;
}

std::string skill_name(std::string_view text) {
  std::string t = trim(text);
  if (!starts_with(t, "<skill>")) return {};
  std::size_t b = t.find("<name>");
  if (b == std::string::npos) return {};
  b += 6;
  std::size_t e = t.find("</name>", b);
  if (e == std::string::npos) return {};
  return trim(std::string_view(t).substr(b, e - b));
}

std::vector<std::string> patch_paths_in_command(std::string_view command) {
  if (command.find("*** Begin Patch") == std::string_view::npos &&
      command.find("apply_patch") == std::string_view::npos)
    return {};
  return harvest::patch_paths(command);
}

}  // namespace skillpipe::harvest_codex
