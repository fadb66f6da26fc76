#include "host/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <string_view>
#include <vector>

namespace skillpipe::host {

namespace {

void put(spdlog::memory_buf_t& out, std::string_view v) { out.append(v.data(), v.data() + v.size()); }

void append_escaped(spdlog::memory_buf_t& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  for (const unsigned char c : s) {
    switch (c) {
      case '"': put(out, "\\\""); break;
      case '\\': put(out, "\\\\"); break;
      case '\n': put(out, "\\n"); break;
      case '\r': put(out, "\\r"); break;
      case '\t': put(out, "\\t"); break;
      default:
        if (c < 0x20) {
          const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(u, u + 6);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

// "2026-12-06T20:53:53.123Z": the event time, UTC, to the millisecond.
void append_stamp(spdlog::memory_buf_t& out, std::chrono::system_clock::time_point when) {
  const auto t = std::chrono::system_clock::to_time_t(when);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[40];
  const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms));
  put(out, stamp);
}

std::string g_command;  // set once by main before the command runs; read by every event

// The one JSON event shape every stderr line has under --log-format json:
// {"time","level","logger","command", <fields...>}; a value with quotes, backslashes or newlines (a
// multi-line error) is escaped, never split, so every stderr line parses as JSON.
void append_event(spdlog::memory_buf_t& out, std::chrono::system_clock::time_point when, std::string_view level,
                  std::string_view logger, const std::vector<EventField>& fields) {
  put(out, "{\"time\":\"");
  append_stamp(out, when);
  put(out, "\",\"level\":\"");
  put(out, level);
  put(out, "\",\"logger\":\"");
  append_escaped(out, logger);
  put(out, "\",\"command\":\"");
  append_escaped(out, g_command);
  put(out, "\"");
  for (const auto& f : fields) {
    put(out, ",\"");
    put(out, f.key);
    put(out, "\":");
    if (f.number) {
      put(out, f.value);
      continue;
    }
    put(out, "\"");
    append_escaped(out, f.value);
    put(out, "\"");
  }
  put(out, "}\n");
}

class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    append_event(dest, msg.time, std::string_view(level.data(), level.size()),
                 std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                 {{"msg", std::string_view(msg.payload.data(), msg.payload.size())}});
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

bool g_json_logs = false;

}  // namespace

bool json_logs() { return g_json_logs; }

void set_log_command(std::string_view command) { g_command = command; }

void write_json_event(std::string_view level, const std::vector<EventField>& fields) {
  spdlog::memory_buf_t buf;
  append_event(buf, std::chrono::system_clock::now(), level, "skillpipe", fields);
  // spdlog writes to the same stderr FILE; flushing it first keeps the lines in order.
  if (auto logger = spdlog::default_logger()) logger->flush();
  std::fwrite(buf.data(), 1, buf.size(), stderr);
  std::fflush(stderr);
}

bool setup_logging(const std::string& level, const std::string& format, std::string* error) {
  const auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    if (error) *error = "unknown --log-level '" + level + "' (trace, debug, info, warn, error, off)";
    return false;
  }
  if (format != "text" && format != "json") {
    if (error) *error = "unknown --log-format '" + format + "' (text or json)";
    return false;
  }
  const char* no_color = std::getenv("NO_COLOR");
  const bool colour = ::isatty(2) && !(no_color && *no_color) && format == "text";
  std::shared_ptr<spdlog::logger> logger;
  if (colour) logger = std::make_shared<spdlog::logger>("skillpipe", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  else logger = std::make_shared<spdlog::logger>("skillpipe", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  g_json_logs = format == "json";
  if (g_json_logs)
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  else
    logger->set_pattern("%^%L%$ %H:%M:%S [%n] %v");
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace skillpipe::host
