// skillpipe - the command-line entry point: dispatches to one subcommand.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_print.hpp"
#include "commands.hpp"
#include "host/basic_context.hpp"
#include "host/logging.hpp"
#include "sdk/suggest.hpp"
#include "skillpipe/abi.hpp"

namespace {

void on_sigint(int) {
  // First ^C: stop after the current record. Second: default action.
  skillpipe::host::request_cancel();
  std::signal(SIGINT, SIG_DFL);
}

void usage(std::FILE* out) {
  std::fprintf(out,
               "skillpipe %s - a nightly sleep cycle for coding-agent skills\n\n"
               "usage: skillpipe <command> [options]   (skillpipe <command> --help for details)\n\n"
               "commands:\n",
               SKILLPIPE_SDK_VERSION);
  for (const auto& c : skillpipe::app::commands()) std::fprintf(out, "  %-15s %s\n", c.name, c.summary);
  std::fprintf(out,
               "\nglobal options: --version, --help\n"
               "exit codes: 0 ok, 1 a stage failed, 2 config or validation error, 3 plugin load/ABI error,\n"
               "            4 a hand-off night waits for answers, 130 interrupted (run again to resume);\n"
               "            nothing to do (adopt or rollback with nothing to act on) is 0, \"Nothing to ...\"\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_sigint);
  std::signal(SIGPIPE, SIG_IGN);
  std::string err;
  // Errors found before a command parses its own --log-format (an unknown command or
  // option) must already come out as JSON events when it asks for them.
  const bool json = skillpipe::app::asks_for_json_logs(argc, argv);
  skillpipe::host::setup_logging("info", json ? "json" : "text", &err);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("skillpipe %s (plugin ABI %d.%d, %s)\n", SKILLPIPE_SDK_VERSION, SKILLPIPE_ABI_MAJOR,
                SKILLPIPE_ABI_MINOR, SKILLPIPE_BUILD_TAG);
    return 0;
  }
  for (const auto& c : skillpipe::app::commands()) {
    if (cmd == c.name) {
      skillpipe::app::set_command(c.name);
      skillpipe::app::Args args(argv + 2, argv + argc);
      try {
        return c.run(args);
      } catch (const std::exception& e) {
        skillpipe::app::error(e.what());
        return 1;
      }
    }
  }
  std::vector<std::string> names = {"help", "version"};
  for (const auto& c : skillpipe::app::commands()) names.emplace_back(c.name);
  const std::string near = skillpipe::detail::closest_name(cmd, names);
  skillpipe::app::error("unknown command '" + cmd + "'", "COMMAND",
                        near.empty() ? (json ? "'skillpipe --help' lists the commands" : "")
                                     : "did you mean '" + near + "'?");
  if (json) return 2;  // the command list is for a person; the event above says where to find it
  std::fputs("\n", stderr);
  usage(stderr);
  return 2;
}
