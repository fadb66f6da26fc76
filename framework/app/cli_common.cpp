#include "cli_common.hpp"

#include <iostream>

#include "host/logging.hpp"

namespace skillpipe::app {

void add_common_options(po::options_description& desc, CommonOptions& c) {
  desc.add_options()("help,h", po::bool_switch(&c.help), "show this help")(
      "plugin-path", po::value(&c.plugin_dirs)->composing(), "extra plugin directory (repeatable)")(
      "log-level", po::value(&c.log_level)->default_value("info"), "trace|debug|info|warn|error|off")(
      "log-format", po::value(&c.log_format)->default_value("text"), "text|json");
}

std::optional<int> parse_command_line(const Args& args, const char* usage_line, po::options_description& desc,
                                      const po::positional_options_description* positional, po::variables_map& vm,
                                      CommonOptions& common) {
  try {
    auto parser = po::command_line_parser(args).options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "skillpipe: " << e.what() << "\n\nusage: " << usage_line << "\n" << desc;
    return 2;
  }
  if (common.help) {
    std::cout << "usage: " << usage_line << "\n\n" << desc;
    return 0;
  }
  std::string err;
  if (!host::setup_logging(common.log_level, common.log_format, &err)) {
    std::cerr << "skillpipe: " << err << "\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace skillpipe::app
