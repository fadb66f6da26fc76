// commands.hpp - the skillpipe subcommands. Each lives in its own cmd_<name>.cpp and takes
// the arguments after its name. Exit codes: 0 ok, 1 a stage failed, 2 config or validation
// error, 3 plugin load/ABI error (4: a hand-off night waits for answers).
#pragma once

#include <string>
#include <vector>

namespace skillpipe::app {

using Args = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args& args);
};

const std::vector<Command>& commands();

int cmd_run(const Args& args);
int cmd_harvest(const Args& args);
int cmd_validate(const Args& args);
int cmd_plugins(const Args& args);
int cmd_describe(const Args& args);
int cmd_status(const Args& args);
int cmd_adopt(const Args& args);
int cmd_rollback(const Args& args);
int cmd_history(const Args& args);
int cmd_judge(const Args& args);
int cmd_tasks(const Args& args);
int cmd_report(const Args& args);
int cmd_schedule(const Args& args);
int cmd_unschedule(const Args& args);
int cmd_docs(const Args& args);
int cmd_new_plugin(const Args& args);
int cmd_ab(const Args& args);
int cmd_experiment(const Args& args);
int cmd_export_dataset(const Args& args);

}  // namespace skillpipe::app
