// cli_common.hpp - options every subcommand shares (--plugin-path, --log-level,
// --log-format, --help) and the parse step that reports bad options as exit 2.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli_print.hpp"
#include "commands.hpp"

namespace skillpipe::app {

namespace po = boost::program_options;

struct CommonOptions {
  std::vector<std::string> plugin_dirs;
  std::string log_level = "info";
  std::string log_format = "text";
  bool verbose = false;  // -v: --log-level debug unless a level was given
  bool help = false;
};

// Adds the shared options to `desc`.
void add_common_options(po::options_description& desc, CommonOptions& common);

// Parses `args`; prints usage and returns an exit code (0 for --help, 2 for bad options)
// when the command should stop, nullopt when it should go on.
std::optional<int> parse_command_line(const Args& args, const char* usage_line, po::options_description& desc,
                                      const po::positional_options_description* positional, po::variables_map& vm,
                                      CommonOptions& common);

// A status line for the person running the command, on stderr: plain text, or one JSON
// event under --log-format json (so every stderr line of such a run parses as JSON).
void say(const std::string& line);

// Paths a user named, checked before anything is read or written. Each returns "" when the
// path is fine, else a message naming the option, the path and what it is instead.
// An input file: a regular file (not missing, not a directory, not a device or FIFO).
std::string input_file_problem(const std::string& option, const std::string& path);
// A directory to read: it exists and is a directory.
std::string input_dir_problem(const std::string& option, const std::string& path);
// A store directory: a directory, or missing (the store creates it); never a file.
std::string store_dir_problem(const std::string& option, const std::string& path);
// A file to write: not a directory, and its directory exists or only that one level is
// missing (nothing above it is created).
std::string output_file_problem(const std::string& option, const std::string& path);
// A directory to write into: a directory, or missing with an existing parent directory (the
// one level the user named is created; missing ancestors are refused).
std::string output_dir_problem(const std::string& option, const std::string& path);

}  // namespace skillpipe::app
