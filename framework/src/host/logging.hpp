// logging.hpp - one spdlog setup for the process: stderr, text or JSON lines, colour only
// on a TTY and never with NO_COLOR. Plugins share it because they link the shared spdlog.
#pragma once

#include <string>

namespace skillpipe::host {

// level: trace|debug|info|warn|error|off; format: text|json. Returns false on a bad value.
bool setup_logging(const std::string& level, const std::string& format, std::string* error);

// True after setup_logging(..., "json", ...): every stderr line must then be a JSON event.
bool json_logs();

}  // namespace skillpipe::host
