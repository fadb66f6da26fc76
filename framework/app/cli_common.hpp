// cli_common.hpp - options every subcommand shares (--plugin-path, --log-level,
// --log-format, --help) and the parse step that reports bad options as exit 2.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

namespace skillpipe::app {

namespace po = boost::program_options;

struct CommonOptions {
  std::vector<std::string> plugin_dirs;
  std::string log_level = "info";
  std::string log_format = "text";
  bool help = false;
};

// Adds the shared options to `desc`.
void add_common_options(po::options_description& desc, CommonOptions& common);

// Parses `args`; prints usage and returns an exit code (0 for --help, 2 for bad options)
// when the command should stop, nullopt when it should go on.
std::optional<int> parse_command_line(const Args& args, const char* usage_line, po::options_description& desc,
                                      const po::positional_options_description* positional, po::variables_map& vm,
                                      CommonOptions& common);

}  // namespace skillpipe::app
