#include "store_fixture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;

namespace store_test {

LoadedStore::LoadedStore(const std::string& root, const std::string& project, const std::string& extra_config) {
  registry = testing::make_registry();
  store = registry->create_as<Store>("store_files");
  RunInfo run;
  run.project = project;
  services.store = store.get();
  ctx = std::make_unique<host::BasicContext>("store", run, &services);
  std::string cfg = "{\"root\": " + json_quote(root) + (extra_config.empty() ? "" : ", " + extra_config) + "}";
  store->configure(Config::parse(cfg), *ctx);
}

LoadedStore::~LoadedStore() {
  store.reset();  // before the registry unloads the library
  ctx.reset();
}

Sandbox::Sandbox() {
  home = tmp.file("home");
  project = tmp.file("project");
  root = tmp.file("store");
  fs::create_directories(home);
  fs::create_directories(project);
  project = fs::canonical(project).string();
  home = fs::canonical(home).string();
  if (const char* h = std::getenv("HOME")) old_home_ = h;
  // The store expands ~ in skill roots; point it at the sandbox.
  ::setenv("HOME", home.c_str(), 1);
  ::setenv("SKILLPIPE_NOW", kNow, 1);
}

Sandbox::~Sandbox() {
  if (!old_home_.empty()) ::setenv("HOME", old_home_.c_str(), 1);
  ::unsetenv("SKILLPIPE_NOW");
}

std::vector<std::string> Sandbox::env() const {
  return {"HOME=" + home, std::string("SKILLPIPE_NOW=") + kNow, "SKILLPIPE_STORE_FAIL_AFTER", "SKILLPIPE_STORE"};
}

Proposal make_proposal(const std::string& name, const std::string& target, const std::string& live_path,
                       const std::string& proposed, const std::string& status) {
  Proposal p;
  p.name = name;
  p.target = parse_target(target).value();
  p.live_path = live_path;
  if (auto live = read_file(live_path)) {
    p.base_text = *live;
    p.base_sha256 = sha256_hex(*live);
  }
  p.proposed_text = proposed;
  p.status = parse_proposal_status(status).value();
  p.reasons = {"gate: val 0.333 -> 1.000"};
  return p;
}

NightReport make_report() {
  NightReport r;
  r.counts = {{"sessions", 12}, {"tasks", 6}};
  r.baseline_val = 1.0 / 3.0;
  r.candidate_val = 1.0;
  r.gate_metric = "mixed";
  r.gate_action = GateAction::kAccept;
  r.gate_reason = "candidate beats baseline on val";
  r.deltas = {{"task-a", Split::kVal, 0.0, 1.0}, {"task-b", Split::kVal, 1.0, 1.0}};
  Edit e;
  e.content = "Always run the tests before committing.";
  e.rationale = "two val tasks failed without it";
  e.status = EditStatus::kApplied;
  r.accepted_edits = {e};
  Edit bad = e;
  bad.content = "Never write tests.";
  bad.rationale = "made val worse";
  bad.status = EditStatus::kRejected;
  r.rejected_edits = {bad};
  r.tokens.input = 1200;
  r.tokens.output = 340;
  r.cost_usd = 0.0123;
  r.llm_calls = 9;
  r.cached_calls = 4;
  r.notes = {"a note for the reader"};
  return r;
}

std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!it->is_regular_file() || it->is_symlink()) continue;
    if (name == "run.lock" || name == "adopt.lock" || name.find(".tmp-") != std::string::npos) continue;
    out[fs::relative(it->path(), dir).string()] = *read_file(it->path().string());
  }
  return out;
}

std::string sha256(const std::string& s) { return sha256_hex(s); }

int in_child(const std::function<int()>& fn) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    int rc = 1;
    try {
      rc = fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child failed: %s\n", e.what());
      rc = 1;
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace store_test
