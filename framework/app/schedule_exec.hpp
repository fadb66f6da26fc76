// schedule_exec.hpp - the outside programs `skillpipe schedule` drives (systemctl --user,
// crontab), run without a shell, found on PATH.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::app {

struct ProcResult {
  bool started = false;  // false: the program is not on PATH (or could not be run)
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (searched on PATH) with stdin from /dev/null; captures stdout and stderr.
ProcResult run_process(const std::vector<std::string>& argv);

// Whether a systemd user manager answers (`systemctl --user show-environment`).
bool systemd_user_available();

// The user's crontab ("" when they have none). Throws Error when `crontab -l` fails for any
// other reason, so an install never replaces a crontab it could not read.
std::string crontab_read();
// Installs `text` as the user's crontab (`crontab FILE`), or removes it (`crontab -r`) when
// `text` is empty. Throws Error on failure.
void crontab_write(const std::string& text);

}  // namespace skillpipe::app
