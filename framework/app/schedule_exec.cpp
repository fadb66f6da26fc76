#include "schedule_exec.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

extern char** environ;

namespace skillpipe::app {
namespace {

std::string temp_dir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

// A private temp file, unlinked on destruction.
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    std::string templ = temp_dir() + "/skillpipe-XXXXXX";
    fd = ::mkstemp(templ.data());
    if (fd < 0) throw Error("cannot create a temporary file in " + temp_dir());
    path = templ;
  }
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  std::string read() const { return read_file(path).value_or(""); }
};

}  // namespace

ProcResult run_process(const std::vector<std::string>& argv) {
  ProcResult r;
  TempFile out, err;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err.fd, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return r;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  r.started = true;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // posix_spawnp reports a missing program as exit 127 on glibc.
  if (r.exit_code == 127) r.started = false;
  r.out = out.read();
  r.err = err.read();
  return r;
}

bool systemd_user_available() {
  const auto r = run_process({"systemctl", "--user", "show-environment"});
  return r.started && r.exit_code == 0;
}

std::string crontab_read() {
  const auto r = run_process({"crontab", "-l"});
  if (!r.started) throw Error("crontab is not installed (Debian package cron), and systemd --user is not available");
  if (r.exit_code == 0) return r.out;
  if (r.err.find("no crontab for") != std::string::npos) return "";
  throw Error("`crontab -l` failed (exit " + std::to_string(r.exit_code) + "): " + trim(r.err) +
              "; nothing was changed");
}

void crontab_write(const std::string& text) {
  ProcResult r;
  if (text.empty()) {
    r = run_process({"crontab", "-r"});
  } else {
    TempFile f;
    if (::write(f.fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw Error("cannot write a temporary file for crontab");
    }
    r = run_process({"crontab", f.path});
  }
  if (!r.started || r.exit_code != 0) {
    throw Error("installing the crontab failed (exit " + std::to_string(r.exit_code) + "): " + trim(r.err));
  }
}

}  // namespace skillpipe::app
