// cli_print.hpp - the one printer for everything a command tells the person (or program)
// running it on stderr: errors, warnings, notes and status lines. In text mode each is the
// plain line it always was; under --log-format json each is one JSON event with typed fields
// (level, command, msg, and file/line/col/field/hint/usage when known), so a program reading
// stderr never has to parse prose.
#pragma once

#include <string>
#include <string_view>

#include "host/pipeline_spec.hpp"

namespace skillpipe::host {
struct RunOutcome;
}

namespace skillpipe::app {

enum class Level { kError, kWarning, kInfo };

// How the line starts in text mode (JSON always carries level and command as fields).
enum class Prefix {
  kCommand,  // "skillpipe run: ..."
  kLevel,    // "error: ...", "warning: ...", "note: ..."
  kNone,     // the text as is (status lines, summaries)
};

struct Message {
  Level level = Level::kError;
  std::string text;    // what happened, without the location
  std::string file;    // where, when a file is at fault ("" = no file)
  int line = 0;        // 1-based; 0 = unknown
  int col = 0;
  std::string field;   // the option or key at fault: "--store", "/stages/2/config/min"
  std::string hint;    // what to do; text mode appends it as "; <hint>"
  std::string usage;   // the command's usage line, for usage errors (JSON only; text prints the option list)
  Prefix prefix = Prefix::kCommand;
};

// The command main dispatched to ("" before that); every message names it.
void set_command(std::string_view name);
const std::string& current_command();

// Looks for `--log-format json` (or `--log-format=json`) anywhere in `args`, so errors found
// before the command's own parser reads it (an unknown command or option) honour it too.
bool asks_for_json_logs(int argc, char** argv);

void print(const Message& m);
// True under --log-format json: text-only extras (an option list, usage) are then left out.
bool json_messages();

// Shorthands for the common shapes.
void error(std::string text, std::string field = {}, std::string hint = {});  // "skillpipe <cmd>: text"
void listed_error(std::string text);   // "error: text", one of a list of problems
void warning(std::string text);        // "warning: text"
void note(std::string text);           // "note: text"
void plain(Level level, std::string text);  // the text as is: a summary line, "arm b: ..."
// A message from one of cli_common's *_problem checks, which all start with the option they
// name ("--store /x: expected a store directory..."): that option becomes the field.
void path_error(const std::string& problem);
// A pipeline diagnostic: "file:line:col: /pointer: message" in text, typed fields in JSON.
void diagnostic(const host::Diagnostic& d, Prefix prefix = Prefix::kLevel);
// A run's errors, each "error: ...": its diagnostics with their locations, then the rest.
void print_run_errors(const host::RunOutcome& out);

}  // namespace skillpipe::app
