// Procedure steps in the target agent's vocabulary (procedure_text.hpp).
#include "procedure_text.hpp"

#include <algorithm>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {
namespace {

// What an agent calls its tools, by what they do.
struct Vocabulary {
  const char* run;     // how a command is run
  const char* write;   // how a file is written
  const char* read;
  const char* search;
  const char* plan;
};

Vocabulary vocabulary(Agent a) {
  switch (a) {
    case Agent::kCodex:
      return {"in the shell (`exec_command`)", "with `apply_patch`", "with `cat` or `sed -n` in the shell",
              "with `rg` in the shell", "with `update_plan`"};
    case Agent::kClaude:
    default:
      return {"with the `Bash` tool", "with the `Write` tool (`Edit` for an existing file)", "with the `Read` tool",
              "with the `Grep` and `Glob` tools", "with the `TodoWrite` tool"};
  }
}

enum class Family { kRun, kWrite, kRead, kSearch, kPlan, kOther };

// The family of a tool name of any agent (Claude Code, Codex, and the common MCP-less names).
Family family_of(const std::string& tool) {
  const std::string t = to_lower_ascii(tool);
  if (t == "bash" || t == "shell" || t == "exec_command" || t == "local_shell" || t == "container.exec" ||
      t == "write_stdin" || t == "run_shell_command")
    return Family::kRun;
  if (t == "edit" || t == "multiedit" || t == "write" || t == "apply_patch" || t == "notebookedit" ||
      t == "write_file" || t == "replace" || t == "str_replace_based_edit_tool")
    return Family::kWrite;
  if (t == "read" || t == "read_file" || t == "view" || t == "notebookread") return Family::kRead;
  if (t == "grep" || t == "glob" || t == "ls" || t == "search" || t == "list_dir" || t == "find") return Family::kSearch;
  if (t == "todowrite" || t == "update_plan") return Family::kPlan;
  return Family::kOther;
}

bool used(const PatternView& p, Family f) {
  return std::any_of(p.tool_chain.begin(), p.tool_chain.end(), [&](const std::string& t) { return family_of(t) == f; });
}

std::string of_sessions(int support, int successes) {
  if (support <= 0 || successes <= 0) return "";
  return " (" + std::to_string(support) + " of " + std::to_string(successes) + " sessions)";
}

}  // namespace

std::string procedure_steps(const PatternView& p, Agent agent) {
  const Vocabulary v = vocabulary(agent);
  std::vector<std::string> steps;
  std::vector<std::string> written;
  for (const auto& st : p.procedure) {
    if (st.kind == StepKind::kRun) {
      steps.push_back("Run `" + st.text + "` " + v.run + of_sessions(st.support, p.successes) + ".");
    } else {
      written.push_back(st.text);
      steps.push_back("Write `" + st.text + "` " + v.write + of_sessions(st.support, p.successes) + ".");
    }
  }
  if (!steps.empty() && used(p, Family::kWrite)) {
    // Files the sessions changed with an editing tool rather than a command.
    std::string list;
    int n = 0;
    for (const auto& f : p.files)
      if (std::find(written.begin(), written.end(), f) == written.end() && n++ < 3) list += (list.empty() ? "`" : ", `") + f + "`";
    if (!list.empty()) steps.push_back("Create or update " + list + " " + v.write + ".");
  }
  if (steps.empty()) {
    // No command in common: the kinds of tools the sessions relied on, in their usual order,
    // named as this agent names them.
    std::vector<Family> seen;
    for (const auto& t : p.tool_chain) {
      const Family f = family_of(t);
      if (f == Family::kOther || std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
      seen.push_back(f);
      switch (f) {
        case Family::kPlan: steps.push_back(std::string("Write down the steps first ") + v.plan + "."); break;
        case Family::kSearch: steps.push_back(std::string("Find the relevant code ") + v.search + "."); break;
        case Family::kRead: steps.push_back(std::string("Read the files involved ") + v.read + "."); break;
        case Family::kWrite: steps.push_back(std::string("Make the change ") + v.write + "."); break;
        case Family::kRun: steps.push_back(std::string("Run the project's checks ") + v.run + "."); break;
        case Family::kOther: break;
      }
    }
  }
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i) out += std::to_string(i + 1) + ". " + steps[i] + "\n";
  return out;
}

}  // namespace skillpipe::consolidate_draft
