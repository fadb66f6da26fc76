#include "agent_cli.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "confinement.hpp"

namespace skillpipe::agent_cli {
namespace {

namespace fs = std::filesystem;

// The quiet, offline environment of docs/agent-clis.md; nothing is inherited from the test
// process (no user keys, settings or PATH entries), so a run only sees what we set.
std::vector<std::string> base_env(const std::string& home) {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8", "TZ=UTC", "TERM=dumb"};
}

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                             const std::string& cwd, int out_fd, int err_fd) {
  setpgid(0, 0);
  int in = ::open("/dev/null", O_RDONLY);
  dup2(in, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  e.push_back(nullptr);
  execve(a[0], a.data(), e.data());
  _exit(127);
}

// Reads both pipes until they close (or, once the child has exited, until a short grace
// period passes: a grandchild may keep a pipe open) or the deadline passes. Returns false
// on timeout; *status is set when the child was reaped here.
bool drain(pid_t pid, int out_fd, int err_fd, RunResult& r, std::chrono::steady_clock::time_point deadline,
           int* status, bool* reaped) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    if (!*reaped && waitpid(pid, status, WNOHANG) == pid) {
      *reaped = true;
      deadline = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return *reaped;
    if (poll(fds, 2, static_cast<int>(std::min<long>(left.count(), 100))) < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  return true;
}

}  // namespace

const char* agent_name(Agent a) { return a == Agent::kClaude ? "claude-code" : "codex"; }
const char* bin_env_var(Agent a) { return a == Agent::kClaude ? "SKILLPIPE_CLAUDE_BIN" : "SKILLPIPE_CODEX_BIN"; }

std::string agent_bin(Agent a) {
  const char* v = std::getenv(bin_env_var(a));
  return v ? v : "";
}

bool agents_required() {
  const char* v = std::getenv("SKILLPIPE_REQUIRE_AGENTS");
  return v && std::string(v) == "1";
}

std::string git(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/git"};
  append(argv, args);
  std::vector<std::string> env = base_env(dir);
  append(env, {"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com",
               "GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com",
               "GIT_AUTHOR_DATE=2026-11-02T09:00:00Z", "GIT_COMMITTER_DATE=2026-11-02T09:00:00Z"});
  RunResult r = run_process(argv, env, dir, 60);
  if (r.exit_code != 0) throw std::runtime_error("git " + (args.empty() ? "" : args[0]) + " failed: " + r.err);
  return r.out;
}

Sandbox::Sandbox(std::string root) : root_(std::move(root)), home_(root_ + "/home"), ws_(root_ + "/ws") {
  fs::create_directories(home_);
  fs::create_directories(ws_);
  write_file(ws_ + "/README.md", "# widget\n");
  git(ws_, {"init", "-q", "-b", "main"});
  git(ws_, {"add", "-A"});
  git(ws_, {"commit", "-q", "-m", "Initial commit"});
}

std::string Sandbox::install_skill(Agent a, const std::string& name, const std::string& description,
                                   const std::string& body) const {
  std::string dir = ws_ + (a == Agent::kClaude ? "/.claude/skills/" : "/.agents/skills/") + name;
  std::string path = dir + "/SKILL.md";
  write_file(path, "---\nname: " + name + "\ndescription: " + description + "\n---\n" + body);
  return path;
}

void Sandbox::write_codex_config(const std::string& openai_base_url, const std::string& codex_home) const {
  std::string dir = codex_home.empty() ? this->codex_home() : codex_home;
  // Where /usr/bin/bwrap cannot run Codex's sandbox (Debian 12's lacks --argv0) the lab gives
  // Codex full access inside its throwaway workspace: these tests are about skills, not about
  // Codex's sandbox.
  write_file(dir + "/config.toml",
             "model = \"gpt-5.5\"\n"
             "model_provider = \"scripted\"\n"
             "approval_policy = \"never\"\n"
             "sandbox_mode = \"" + std::string(backend_agent::codex_sandbox_works() ? "workspace-write" : "danger-full-access") +
             "\"\n\n"
             "[model_providers.scripted]\n"
             "name = \"scripted loopback model\"\n"
             "base_url = \"" + openai_base_url + "\"\n"
             "wire_api = \"responses\"\n"
             "env_key = \"SKILLPIPE_MODEL_KEY\"\n"
             "request_max_retries = 0\n"
             "stream_max_retries = 0\n"
             "stream_idle_timeout_ms = 30000\n\n"
             "[projects.\"" + ws_ + "\"]\n"
             "trust_level = \"trusted\"\n");
}

std::vector<std::string> RunResult::events() const {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) lines.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

RunResult run_claude(const Sandbox& sb, const std::string& base_url, const std::string& prompt, const RunOptions& o) {
  std::string home = o.home.empty() ? sb.home() : o.home;
  std::vector<std::string> argv = {agent_bin(Agent::kClaude), "-p", prompt, "--output-format", "stream-json",
                                   "--verbose", "--permission-mode", "acceptEdits", "--allowedTools", "Bash"};
  append(argv, o.extra_args);
  std::vector<std::string> env = base_env(home);
  append(env, {"ANTHROPIC_BASE_URL=" + base_url, "ANTHROPIC_API_KEY=test-key-not-a-secret",
               "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_AUTOUPDATER=1", "DISABLE_TELEMETRY=1",
               "DISABLE_ERROR_REPORTING=1", "CLAUDE_CODE_MAX_RETRIES=0"});
  if (!o.config_dir.empty()) env.push_back("CLAUDE_CONFIG_DIR=" + o.config_dir);
  append(env, o.extra_env);
  return run_process(argv, env, sb.workspace(), o.timeout_s);
}

RunResult run_codex(const Sandbox& sb, const std::string& prompt, const RunOptions& o) {
  std::string home = o.home.empty() ? sb.home() : o.home;
  std::vector<std::string> argv = {agent_bin(Agent::kCodex), "exec", "--json"};
  append(argv, o.extra_args);
  argv.push_back(prompt);
  std::vector<std::string> env = base_env(home);
  env.push_back("CODEX_HOME=" + (o.config_dir.empty() ? home + "/.codex" : o.config_dir));
  env.push_back("SKILLPIPE_MODEL_KEY=test-key-not-a-secret");
  append(env, o.extra_env);
  return run_process(argv, env, sb.workspace(), o.timeout_s);
}

RunResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      const std::string& cwd, int timeout_s) {
  RunResult r;
  int out[2], err[2];
  if (argv.empty() || argv[0].empty()) throw std::runtime_error("run_process: no program");
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("run_process: pipe failed");
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("run_process: fork failed");
  if (pid == 0) exec_child(argv, env, cwd, out[1], err[1]);
  setpgid(pid, pid);
  close(out[1]);
  close(err[1]);
  int status = 0;
  bool reaped = false;
  if (!drain(pid, out[0], err[0], r, start + std::chrono::seconds(timeout_s), &status, &reaped)) {
    r.timed_out = true;
    kill(-pid, SIGKILL);
  }
  close(out[0]);
  close(err[0]);
  if (!reaped) waitpid(pid, &status, 0);
  kill(-pid, SIGKILL);  // children the CLI left behind (a Bash tool's background job)
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace skillpipe::agent_cli
