#include "confinement.hpp"

#include <filesystem>

#include "clean_process.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

bool exists(const std::string& p) {
  std::error_code ec;
  return !p.empty() && fs::exists(fs::symlink_status(p, ec));
}

// Unix sockets stay connectable on a read-only mount; these would let a command act outside
// the sandbox (a container engine runs anything as anyone), so they are covered over.
const char* const kHostSockets[] = {"/run/docker.sock", "/var/run/docker.sock", "/run/podman/podman.sock",
                                    "/run/containerd/containerd.sock"};

}  // namespace

const char* to_string(Confinement c) {
  switch (c) {
    case Confinement::kBubblewrap: return "bubblewrap";
    case Confinement::kCodexSandbox: return "codex-sandbox";
    case Confinement::kNone: return "none";
  }
  return "none";
}

std::vector<std::string> bwrap_prefix(const ConfineSpec& spec) {
  std::vector<std::string> a{spec.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"};
  if (!spec.real_home.empty() && spec.real_home != "/" && exists(spec.real_home))
    a.insert(a.end(), {"--tmpfs", spec.real_home});
  for (const auto& h : spec.hidden)
    if (exists(h)) a.insert(a.end(), {"--tmpfs", h});
  for (const char* s : kHostSockets) {
    std::error_code ec;
    if (fs::is_socket(s, ec)) a.insert(a.end(), {"--ro-bind", "/dev/null", s});
  }
  for (const auto& r : spec.read_only)
    if (exists(r)) a.insert(a.end(), {"--ro-bind", r, r});
  for (const auto& w : spec.writable) a.insert(a.end(), {"--bind", w, w});
  a.insert(a.end(), {"--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"});
  if (!spec.cwd.empty()) a.insert(a.end(), {"--chdir", spec.cwd});
  a.push_back("--");
  return a;
}

std::string find_bwrap(const std::string& configured) {
  return backend_common::find_executable(configured.empty() ? std::string("bwrap") : expand_path(configured));
}

bool bwrap_works(const std::string& bwrap, const std::string& scratch_dir, std::string* why) {
  if (bwrap.empty()) {
    if (why) *why = "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt install bubblewrap)";
    return false;
  }
  const std::string probe = scratch_dir + "/bwrap-probe";
  ensure_dir(probe + "/rw");
  ensure_dir(probe + "/ro");
  ConfineSpec s;
  s.bwrap = bwrap;
  s.writable = {probe + "/rw"};
  s.read_only = {probe + "/ro"};
  std::vector<std::string> argv = bwrap_prefix(s);
  argv.insert(argv.end(), {"/bin/sh", "-c", "touch \"$1/rw/ok\" && ! touch \"$1/ro/no\" 2>/dev/null", "sh", probe});
  CleanProcess p;
  p.argv = argv;
  p.env = base_environment();
  p.timeout_s = 30;
  const ProcessOutcome r = run_clean(p);
  std::error_code ec;
  const bool wrote = fs::exists(probe + "/rw/ok", ec);
  const bool leaked = fs::exists(probe + "/ro/no", ec);
  fs::remove_all(probe, ec);
  if (r.started && r.exit_code == 0 && wrote && !leaked) return true;
  if (why)
    *why = "bubblewrap (" + bwrap + ") cannot create a sandbox here: " +
           trim(r.started ? (r.err.empty() ? "exit code " + std::to_string(r.exit_code) : r.err) : r.start_error) +
           " (unprivileged user namespaces may be disabled: sysctl kernel.unprivileged_userns_clone / "
           "user.max_user_namespaces)";
  return false;
}

bool codex_sandbox_works() {
  static const bool works = [] {
    if (!exists("/usr/bin/bwrap")) return true;
    CleanProcess p;
    p.argv = {"/usr/bin/bwrap", "--argv0", "probe", "--ro-bind", "/", "/", "/bin/true"};
    p.env = base_environment();
    p.timeout_s = 30;
    const ProcessOutcome r = run_clean(p);
    return r.started && r.exit_code == 0;
  }();
  return works;
}

std::string install_root_of(const std::string& executable) {
  std::error_code ec;
  const std::string real = fs::canonical(executable, ec).string();
  if (ec) return fs::path(executable).parent_path().string();
  const std::size_t nm = real.find("/node_modules/");
  if (nm != std::string::npos) return real.substr(0, nm + std::string("/node_modules").size());
  return fs::path(real).parent_path().string();
}

}  // namespace skillpipe::backend_agent
