#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <set>

extern char** environ;

namespace skillpipe::backend_common {
namespace {

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct Fd {
  int fd = -1;
  ~Fd() { close_now(); }
  void close_now() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

std::vector<std::string> child_env(const ProcessSpec& spec) {
  if (spec.clear_env) return spec.env_set;
  std::set<std::string> drop(spec.env_unset.begin(), spec.env_unset.end());
  for (const auto& kv : spec.env_set) drop.insert(kv.substr(0, kv.find('=')));
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    if (!drop.count(kv.substr(0, kv.find('=')))) env.push_back(std::move(kv));
  }
  for (const auto& kv : spec.env_set) env.push_back(kv);
  return env;
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string find_executable(const std::string& program) {
  if (program.empty()) return {};
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : std::string();
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t i = 0;
  while (i <= p.size()) {
    std::size_t j = p.find(':', i);
    if (j == std::string::npos) j = p.size();
    // An empty PATH entry means the current directory.
    std::string cand = (j > i ? p.substr(i, j - i) : std::string(".")) + "/" + program;
    if (::access(cand.c_str(), X_OK) == 0) return cand;
    i = j + 1;
  }
  return {};
}

namespace {

// The child and our ends of its three pipes.
struct Child {
  pid_t pid = -1;
  Fd in_w, out_r, err_r;
  // Ended, but not reaped until collect(): while it is a zombie its pid, and so its group id,
  // cannot be reused, so kill_group() never reaches another process's group.
  bool exited = false;
  bool reaped = false;
  int status = 0;
  double exited_at = 0;
  std::size_t written = 0;
  std::size_t line_start = 0;  // the first stdout byte not yet passed to on_stdout_line

  void kill_group() const {
    if (pid > 0 && !reaped) ::kill(-pid, SIGKILL);
  }
  void notice_exit() {
    siginfo_t info{};
    if (exited || ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid != pid)
      return;
    exited = true;
    exited_at = now_s();
  }
  void collect() {
    if (pid <= 0 || reaped) return;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reaped = exited = true;
  }
  bool streams_open() const { return out_r.fd >= 0 || err_r.fd >= 0; }
  // One poll round: feed stdin, drain stdout and stderr (each capped at max_output_bytes).
  void exchange(const ProcessSpec& spec, ProcessResult& r);
  // Passes each new complete stdout line to on_stdout_line; stops the child when it says so.
  void feed_lines(const ProcessSpec& spec, ProcessResult& r);
};

void Child::feed_lines(const ProcessSpec& spec, ProcessResult& r) {
  if (!spec.on_stdout_line || r.stopped) return;
  for (std::size_t nl; (nl = r.out.find('\n', line_start)) != std::string::npos; line_start = nl + 1) {
    if (spec.on_stdout_line(std::string_view(r.out).substr(line_start, nl - line_start))) continue;
    r.stopped = true;
    kill_group();
    return;
  }
}

void Child::exchange(const ProcessSpec& spec, ProcessResult& r) {
  pollfd fds[3];
  int n = 0;
  if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
  if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
  if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
  if (n == 0) {
    if (!exited) ::usleep(5000);  // outputs closed but the process lives on: wait for it
    return;
  }
  ::poll(fds, static_cast<nfds_t>(n), 50);
  for (int k = 0; k < n; ++k) {
    if (!(fds[k].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR))) continue;
    if (fds[k].fd == in_w.fd) {
      ssize_t m = ::write(in_w.fd, spec.stdin_text.data() + written, spec.stdin_text.size() - written);
      if (m > 0) written += static_cast<std::size_t>(m);
      if ((m < 0 && errno != EAGAIN && errno != EINTR) || written >= spec.stdin_text.size()) in_w.close_now();
      continue;
    }
    Fd& src = fds[k].fd == out_r.fd ? out_r : err_r;
    std::string& dst = fds[k].fd == out_r.fd ? r.out : r.err;
    char buf[65536];
    ssize_t m = ::read(src.fd, buf, sizeof buf);
    if (m > 0) {
      if (dst.size() < spec.max_output_bytes)
        dst.append(buf, std::min<std::size_t>(static_cast<std::size_t>(m), spec.max_output_bytes - dst.size()));
      else
        r.output_truncated = true;
      if (&dst == &r.out) feed_lines(spec, r);
    } else if (m == 0 || (errno != EAGAIN && errno != EINTR)) {
      src.close_now();
    }
  }
}

// Starts the program in its own process group with the three pipes; "" or why it failed.
std::string spawn(const ProcessSpec& spec, const std::string& program, Child& child) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  if (::pipe2(out, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1]}) ::close(fd);
    return std::string("pipe: ") + std::strerror(errno);
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return std::string("pipe: ") + std::strerror(errno);
  }
  child.in_w.fd = in[1];
  child.out_r.fd = out[0];
  child.err_r.fd = err[0];
  Fd in_r{in[0]}, out_w{out[1]}, err_w{err[1]};  // the child's ends: closed here once it has them
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.fd, 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout kills its children too
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> argv_s = spec.argv;
  argv_s[0] = program;
  std::vector<std::string> env_s = child_env(spec);
  auto argv = c_array(argv_s);
  auto envp = c_array(env_s);
  const int rc = ::posix_spawn(&child.pid, program.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) child.pid = -1;
  return rc == 0 ? std::string() : "cannot start '" + program + "': " + std::strerror(rc);
}

// Exchanges data until the child ended and its outputs closed, killing its group at the
// deadline or on cancellation.
void supervise(const ProcessSpec& spec, const std::function<bool()>& cancelled, double deadline, Child& child,
               ProcessResult& r) {
  for (int fd : {child.in_w.fd, child.out_r.fd, child.err_r.fd})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (spec.stdin_text.empty()) child.in_w.close_now();
  while (child.streams_open() || !child.exited) {
    child.notice_exit();
    const double now = now_s();
    if (!child.exited && now >= deadline) {
      r.timed_out = true;
      child.kill_group();
    } else if (!child.exited && cancelled && cancelled()) {
      r.cancelled = true;
      child.kill_group();
    } else if (child.exited && now - child.exited_at > 0.5 && child.streams_open()) {
      // A grandchild keeps our pipes open after the program itself ended; stop waiting.
      child.kill_group();
      break;
    }
    child.exchange(spec, r);
  }
  child.collect();
}

// Writing to a child that exited raises SIGPIPE in the writing thread: blocked while this
// lasts, and one raised meanwhile dropped before the thread's mask is restored.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_, old_;
};

}  // namespace

struct StartedProcess::Impl {
  ProcessSpec spec;
  Child child;
  ProcessResult r;
  bool finished = false;
};

StartedProcess::StartedProcess(ProcessSpec spec) : impl_(std::make_unique<Impl>()) {
  impl_->spec = std::move(spec);
  ProcessResult& r = impl_->r;
  if (impl_->spec.argv.empty()) {
    r.start_error = "no program given";
    return;
  }
  const std::string program = find_executable(impl_->spec.argv[0]);
  if (program.empty()) {
    r.start_error = "'" + impl_->spec.argv[0] + "' was not found on PATH or is not executable";
    return;
  }
  r.start_error = spawn(impl_->spec, program, impl_->child);
  r.started = r.start_error.empty();
}

// Never finished (dropped unused, or finish() threw): its whole group is killed, including
// what outlived a leader that ended on its own.
StartedProcess::~StartedProcess() {
  Child& c = impl_->child;
  c.kill_group();
  c.collect();
}

bool StartedProcess::started() const { return impl_->r.started; }
const std::string& StartedProcess::start_error() const { return impl_->r.start_error; }

bool StartedProcess::waiting() {
  if (!impl_->r.started || impl_->finished) return false;
  impl_->child.notice_exit();
  return !impl_->child.exited;
}

ProcessResult StartedProcess::finish(const std::string& stdin_text, double timeout_s,
                                     std::function<bool(std::string_view line)> on_stdout_line,
                                     const std::function<bool()>& cancelled) {
  ProcessResult r = std::move(impl_->r);
  if (!r.started || impl_->finished) return r;
  impl_->finished = true;
  ProcessSpec& spec = impl_->spec;
  spec.stdin_text = stdin_text;
  spec.timeout_s = timeout_s;
  spec.on_stdout_line = std::move(on_stdout_line);
  Child& child = impl_->child;
  const double t0 = now_s();
  if (child.exited) child.exited_at = t0;  // it ended while waiting: its output is still to read
  {
    const SigpipeBlocked quiet;
    supervise(spec, cancelled, t0 + spec.timeout_s, child, r);
  }
  if (WIFEXITED(child.status)) r.exit_code = WEXITSTATUS(child.status);
  if (WIFSIGNALED(child.status)) r.term_signal = WTERMSIG(child.status);
  r.elapsed_s = now_s() - t0;
  return r;
}

ProcessResult run_process(const ProcessSpec& spec, const std::function<bool()>& cancelled) {
  StartedProcess p(spec);
  return p.finish(spec.stdin_text, spec.timeout_s, spec.on_stdout_line, cancelled);
}

std::vector<std::string> dying_with_parent(std::vector<std::string> argv) {
  static const std::string setpriv = find_executable("setpriv");
  if (setpriv.empty()) return argv;
  argv.insert(argv.begin(), {setpriv, "--pdeathsig", "KILL", "--"});
  return argv;
}

}  // namespace skillpipe::backend_common
