// logging.hpp - one spdlog setup for the process: stderr, text or JSON lines, colour only
// on a TTY and never with NO_COLOR. Plugins share it because they link the shared spdlog.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::host {

// level: trace|debug|info|warn|error|off; format: text|json. Returns false on a bad value.
bool setup_logging(const std::string& level, const std::string& format, std::string* error);

// True after setup_logging(..., "json", ...): every stderr line must then be a JSON event.
bool json_logs();

// The command this process runs ("run", "status"; "" before one is chosen): every JSON event
// names it, whether a CLI message or a log line from the host or a plugin.
void set_log_command(std::string_view command);

// One field of a JSON event; `number` writes the value unquoted (it must be a JSON number).
struct EventField {
  std::string_view key;
  std::string_view value;
  bool number = false;
};

// Writes one JSON event line to stderr in the same shape the JSON log formatter uses:
// {"time","level","logger":"skillpipe","command", then `fields` in order}. For events with typed
// fields (the CLI's errors: command, file, line, field, hint) that a log payload cannot carry.
void write_json_event(std::string_view level, const std::vector<EventField>& fields);

}  // namespace skillpipe::host
