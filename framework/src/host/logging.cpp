#include "host/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>

namespace skillpipe::host {

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
  if (format == "json")
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":"%v"})");
  else
    logger->set_pattern("%^%L%$ %H:%M:%S [%n] %v");
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace skillpipe::host
