#include "agentic_checks.hpp"

#include <algorithm>
#include <regex>

#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {
namespace {

RuleCheck check(RuleOp op, std::string arg) {
  RuleCheck c;
  c.op = op;
  c.arg = std::move(arg);
  return c;
}

// `path` relative to `project`, "" when it lies outside (or in .git).
std::string project_relative(const std::string& path, const std::string& project) {
  std::string p = path;
  if (!p.empty() && p[0] == '/') {
    const std::string root = ends_with(project, "/") ? project : project + "/";
    if (project.empty() || !starts_with(p, root)) return {};
    p = p.substr(root.size());
  }
  if (p.empty() || starts_with(p, "../") || p.find("/../") != std::string::npos || starts_with(p, ".git/")) return {};
  return p;
}

// A literal path as a glob: metacharacters escaped.
std::string glob_literal(const std::string& p) {
  std::string out;
  for (char c : p) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string regex_literal(const std::string& s) {
  static const std::string kMeta = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : s) {
    if (kMeta.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

bool safe_to_run(const std::string& command) {
  for (const auto& f : scan_unsafe_content(command))
    if (f.kind == "dangerous_command" || f.kind == "secret") return false;
  return true;
}

// Backticked commands in the user's corrections (prompts with negative feedback).
std::vector<std::string> corrected_commands(const SessionDigest& d) {
  std::vector<std::string> out;
  static const std::regex kTick("`([^`\\n]{2,120})`");
  for (const auto& f : d.feedback_signals) {
    if (f.polarity != "negative" || f.turn < 0 || f.turn >= static_cast<int>(d.user_prompts.size())) continue;
    const std::string& p = d.user_prompts[static_cast<std::size_t>(f.turn)];
    for (auto it = std::sregex_iterator(p.begin(), p.end(), kTick); it != std::sregex_iterator(); ++it) {
      const std::string cmd = trim((*it)[1].str());
      if (is_verification_command(cmd) && std::find(out.begin(), out.end(), cmd) == out.end()) out.push_back(cmd);
    }
  }
  return out;
}

}  // namespace

bool is_verification_command(std::string_view command) {
  static const std::regex kVerify(
      R"((^|[\s;&|(])((py)?test|pytest|tox|nox|jest|vitest|mocha|rspec|phpunit|ctest|go\s+(test|vet|build)|cargo\s+(test|check|build|clippy)|npm\s+(run\s+)?(test|build|lint|check)|pnpm\s+(run\s+)?(test|build|lint|check)|yarn\s+(test|build|lint|check)|make(\s+\S+)?|ninja|cmake\s+--build|gradle\w*\s+(test|check|build)|mvn\s+\S*(test|verify|package)|mypy|ruff|flake8|eslint|tsc|shellcheck|\S*(check|test|lint)\S*\.sh)(\s|$))");
  const std::string c(command);
  return std::regex_search(c, kVerify);
}

std::vector<RuleCheck> derive_agentic_checks(const SessionDigest& d, const MinerOptions&) {
  std::vector<RuleCheck> out;
  if (judge_session(d).outcome != Outcome::kSuccess) return out;
  // The last verification that ended green is what "done" meant in that session.
  for (auto it = d.commands.rbegin(); it != d.commands.rend(); ++it) {
    if (it->failed || it->exit_code.value_or(1) != 0) continue;
    if (!is_verification_command(it->command) || !safe_to_run(it->command)) continue;
    out.push_back(check(RuleOp::kCheckCommand, trim(it->command)));
    break;
  }
  int files = 0;
  for (const auto& f : d.files_touched) {
    const std::string rel = project_relative(f, d.project);
    if (rel.empty() || files >= 3) continue;
    out.push_back(check(RuleOp::kFileChanged, glob_literal(rel)));
    ++files;
  }
  for (const auto& cmd : corrected_commands(d)) out.push_back(check(RuleOp::kCommandRan, regex_literal(cmd)));
  return out;
}

void add_agentic_checks(const SessionDigest& d, TaskRecord& t, const MinerOptions& o) {
  const auto derived = derive_agentic_checks(d, o);
  if (derived.empty()) return;
  for (const auto& c : derived)
    if (std::find(t.judge.checks.begin(), t.judge.checks.end(), c) == t.judge.checks.end()) t.judge.checks.push_back(c);
  t.judge.kind = ReferenceKind::kRule;
  if (t.reference_kind == ReferenceKind::kNone) t.reference_kind = ReferenceKind::kRule;
  t.attrs["agentic_checks"] = std::to_string(derived.size());
}

}  // namespace skillpipe::mine_tasks
