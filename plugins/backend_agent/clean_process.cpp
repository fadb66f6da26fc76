#include "clean_process.hpp"

namespace skillpipe::backend_agent {

namespace {

backend_common::ProcessSpec spec_of(const CleanProcess& p) {
  backend_common::ProcessSpec spec;
  spec.argv = p.argv;
  spec.cwd = p.cwd;
  spec.stdin_text = p.stdin_text;
  spec.clear_env = true;
  spec.env_set = p.env;
  spec.timeout_s = p.timeout_s;
  spec.max_output_bytes = p.max_output_bytes;
  spec.on_stdout_line = p.on_line;
  return spec;
}

}  // namespace

ProcessOutcome run_clean(const CleanProcess& p, const std::function<bool()>& cancelled) {
  return backend_common::run_process(spec_of(p), cancelled);
}

std::unique_ptr<StartedProcess> start_clean(const CleanProcess& p) { return std::make_unique<StartedProcess>(spec_of(p)); }

std::vector<std::string> base_environment() {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC"};
}

std::vector<std::string> git_environment() {
  auto env = base_environment();
  env.insert(env.end(), {"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
                         "GIT_PAGER=cat", "GIT_OPTIONAL_LOCKS=0", "HOME=/nonexistent"});
  return env;
}

}  // namespace skillpipe::backend_agent
