#include "cli_print.hpp"

#include <cstdio>
#include <cstring>
#include <vector>

#include "host/logging.hpp"
#include "host/runner.hpp"

namespace skillpipe::app {
namespace {

std::string g_command;

const char* level_name(Level l) {
  switch (l) {
    case Level::kError: return "error";
    case Level::kWarning: return "warning";
    case Level::kInfo: return "info";
  }
  return "error";
}

std::string text_line(const Message& m) {
  std::string out;
  if (m.prefix == Prefix::kCommand) out = g_command.empty() ? "skillpipe: " : "skillpipe " + g_command + ": ";
  else if (m.prefix == Prefix::kLevel) out = m.level == Level::kInfo ? "note: " : std::string(level_name(m.level)) + ": ";
  if (!m.file.empty()) {
    out += m.file;
    if (m.line > 0) out += ":" + std::to_string(m.line) + ":" + std::to_string(m.col);
    out += ": ";
    if (!m.field.empty()) out += m.field + ": ";
  }
  out += m.text;
  if (!m.hint.empty()) out += "; " + m.hint;
  return out;
}

void print_json(const Message& m) {
  const std::string line = std::to_string(m.line), col = std::to_string(m.col);
  std::vector<host::EventField> f;
  f.push_back({"msg", m.text});
  if (!m.file.empty()) f.push_back({"file", m.file});
  if (m.line > 0) {
    f.push_back({"line", line, true});
    f.push_back({"col", col, true});
  }
  if (!m.field.empty()) f.push_back({"field", m.field});
  if (!m.hint.empty()) f.push_back({"hint", m.hint});
  if (!m.usage.empty()) f.push_back({"usage", m.usage});
  host::write_json_event(level_name(m.level), f);
}

}  // namespace

void set_command(std::string_view name) {
  g_command = name;
  host::set_log_command(name);
}

bool json_messages() { return host::json_logs(); }
const std::string& current_command() { return g_command; }

bool asks_for_json_logs(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--log-format=json") == 0) return true;
    if (std::strcmp(argv[i], "--log-format") == 0 && i + 1 < argc && std::strcmp(argv[i + 1], "json") == 0) return true;
  }
  return false;
}

void print(const Message& m) {
  if (host::json_logs()) {
    print_json(m);
    return;
  }
  const std::string line = text_line(m) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void error(std::string text, std::string field, std::string hint) {
  print({Level::kError, std::move(text), {}, 0, 0, std::move(field), std::move(hint), {}, Prefix::kCommand});
}

void listed_error(std::string text) { print({Level::kError, std::move(text), {}, 0, 0, {}, {}, {}, Prefix::kLevel}); }
void warning(std::string text) { print({Level::kWarning, std::move(text), {}, 0, 0, {}, {}, {}, Prefix::kLevel}); }
void note(std::string text) { print({Level::kInfo, std::move(text), {}, 0, 0, {}, {}, {}, Prefix::kLevel}); }

void plain(Level level, std::string text) { print({level, std::move(text), {}, 0, 0, {}, {}, {}, Prefix::kNone}); }

void path_error(const std::string& problem) {
  std::string field;
  if (problem.rfind("--", 0) == 0 || problem.rfind("FILE ", 0) == 0) field = problem.substr(0, problem.find(' '));
  error(problem, std::move(field));
}

void diagnostic(const host::Diagnostic& d, Prefix prefix) {
  // Without a file the pointer is the only location, so text mode must still show it.
  std::string text = d.file.empty() && !d.pointer.empty() ? d.pointer + ": " + d.message : d.message;
  print({Level::kError, std::move(text), d.file, d.mark.line, d.mark.col, d.pointer, {}, {}, prefix});
}

void print_run_errors(const host::RunOutcome& out) {
  for (const auto& d : out.diagnostics) diagnostic(d);
  for (std::size_t i = out.diagnostics.size(); i < out.errors.size(); ++i) listed_error(out.errors[i]);
}

}  // namespace skillpipe::app
