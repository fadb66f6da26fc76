#include "cli_common.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli_print.hpp"
#include "host/logging.hpp"
#include "host/progress.hpp"
#include "sdk/suggest.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace fs = std::filesystem;
namespace {

// What a path is, for messages: "a directory", "a regular file", "missing", ...
std::string kind_of(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::not_found: return "missing";
    case fs::file_type::directory: return "a directory";
    case fs::file_type::regular: return "a file";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::character:
    case fs::file_type::block: return "a device";
    case fs::file_type::socket: return "a socket";
    default: return "not a regular file";
  }
}

std::string parent_of(const std::string& path) {
  const fs::path p = fs::absolute(expand_path(path)).lexically_normal();
  const fs::path parent = (p.has_filename() ? p : p.parent_path()).parent_path();
  return parent.empty() ? "/" : parent.string();
}

}  // namespace

std::string input_file_problem(const std::string& option, const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(expand_path(path), ec);
  if (st.type() == fs::file_type::regular) return "";
  if (st.type() == fs::file_type::not_found) return option + " " + path + ": no such file";
  return option + " " + path + ": expected a file, but it is " + kind_of(st);
}

std::string input_dir_problem(const std::string& option, const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(expand_path(path), ec);
  if (st.type() == fs::file_type::directory) return "";
  if (st.type() == fs::file_type::not_found) return option + " " + path + ": no such directory";
  return option + " " + path + ": expected a directory, but it is " + kind_of(st);
}

std::string store_dir_problem(const std::string& option, const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(expand_path(path), ec);
  if (st.type() == fs::file_type::directory || st.type() == fs::file_type::not_found) return "";
  return option + " " + path + ": expected a store directory, but it is " + kind_of(st);
}

std::string output_file_problem(const std::string& option, const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(expand_path(path), ec);
  if (st.type() == fs::file_type::directory) return option + " " + path + ": is a directory; name a file to write";
  // The file's own directory may be missing (it is the one level the user named); its parent not.
  const std::string parent = parent_of(path);
  if (const std::string bad = output_dir_problem(option, parent); !bad.empty())
    return option + " " + path + ": its directory " + parent + " cannot be created: " +
           bad.substr(option.size() + parent.size() + 3);
  return "";
}

std::string output_dir_problem(const std::string& option, const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(expand_path(path), ec);
  if (st.type() == fs::file_type::directory) return "";
  if (st.type() != fs::file_type::not_found) return option + " " + path + ": expected a directory, but it is " + kind_of(st);
  const std::string parent = parent_of(path);
  const auto pst = fs::status(parent, ec);
  if (pst.type() == fs::file_type::directory) return "";
  if (pst.type() == fs::file_type::not_found)
    return option + " " + path + ": its parent " + parent + " does not exist; create it first (only the last directory is created)";
  return option + " " + path + ": " + parent + " is " + kind_of(pst) + ", not a directory";
}

void add_common_options(po::options_description& desc, CommonOptions& c) {
  desc.add_options()("help,h", po::bool_switch(&c.help), "show this help")(
      "plugin-path", po::value(&c.plugin_dirs)->composing(), "extra plugin directory (repeatable)")(
      "log-level", po::value(&c.log_level)->default_value("info"), "trace|debug|info|warn|error|off")(
      "verbose,v", po::bool_switch(&c.verbose), "same as --log-level debug: also print the raw counters")(
      "log-format", po::value(&c.log_format)->default_value("text"),
      "text|json (json: every stderr line is one JSON event; no progress display)");
}

namespace {

// "--pipeline", "--store", ...: every long option of `desc`, for "did you mean".
std::vector<std::string> option_names(const po::options_description& desc) {
  std::vector<std::string> out;
  for (const auto& o : desc.options())
    if (!o->long_name().empty()) out.push_back("--" + o->long_name());
  return out;
}

// A bad command line: one message naming the option and, for a misspelled one, the nearest
// real option; text mode then lists the options as it always did.
void print_usage_error(const po::error& e, const char* usage_line, const po::options_description& desc) {
  Message m{Level::kError, e.what(), {}, 0, 0, {}, {}, usage_line, Prefix::kCommand};
  if (const auto* named = dynamic_cast<const po::error_with_option_name*>(&e)) m.field = named->get_option_name();
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
    // Boost names it as typed ("--pipline"); suggest among this command's own options.
    const std::string typed = unknown->get_option_name();
    const std::string near = detail::closest_name(typed, option_names(desc));
    if (!near.empty()) m.hint = "did you mean '" + near + "'?";
  }
  // Text mode lists the options right below; a JSON reader gets where to find them.
  if (m.hint.empty() && host::json_logs()) m.hint = "'skillpipe " + current_command() + " --help' lists the options";
  print(m);
  if (!host::json_logs()) std::cerr << "\nusage: " << usage_line << "\n" << desc;
}

}  // namespace

std::optional<int> parse_command_line(const Args& args, const char* usage_line, po::options_description& desc,
                                      const po::positional_options_description* positional, po::variables_map& vm,
                                      CommonOptions& common) {
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    print_usage_error(e, usage_line, desc);
    return 2;
  }
  for (const auto& d : common.plugin_dirs)
    if (const std::string bad = input_dir_problem("--plugin-path", d); !bad.empty()) {
      error(bad, "--plugin-path");
      return 2;
    }
  if (common.help) {
    std::cout << "usage: " << usage_line << "\n\n" << desc;
    return 0;
  }
  if (common.verbose && vm["log-level"].defaulted()) common.log_level = "debug";
  std::string err;
  if (!host::setup_logging(common.log_level, common.log_format, &err)) {
    error(err, common.log_format != "text" && common.log_format != "json" ? "--log-format" : "--log-level");
    return 2;
  }
  // A live progress line is for a person at a terminal: never in cron (no TTY), in JSON
  // logs, or when stdout carries --json for a program.
  const bool json_out = vm.count("json") && vm["json"].as<bool>();
  host::set_progress_display(::isatty(2) != 0 && !host::json_logs() && !json_out);
  return std::nullopt;
}

void say(const std::string& line) { print({Level::kInfo, line, {}, 0, 0, {}, {}, {}, Prefix::kNone}); }

}  // namespace skillpipe::app
