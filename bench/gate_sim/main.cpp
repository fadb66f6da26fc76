// bench_gate_sim - the gate's seeded noise simulation, every gate mode: false acceptance of
// no-op edits against a 20%-flip target, and power (rules learned within N nights) on a
// deterministic and a noisy target. Prints a Markdown table (the README's).
//
//   build/bench/gate_sim/bench_gate_sim [--trials 60] [--nights 3] [--power-trials 10]
//                                       [--power-nights 5] [--jobs 2] [--dir DIR] [--mode N]
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gate_sim.hpp"

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::pair<int, std::string> run(const std::vector<std::string>& args) {
  std::string cmd = "SKILLPIPE_PLUGIN_PATH=" + quote(SKILLPIPE_PLUGIN_DIR) + " " + quote(SKILLPIPE_BIN_PATH);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>/dev/null";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

struct Row {
  std::string mode;
  skillpipe::gatesim::Outcome noise, power_det, power_noisy;
};

int arg_int(int argc, char** argv, const std::string& name, int def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return std::atoi(argv[i + 1]);
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  namespace gs = skillpipe::gatesim;
  const int trials = arg_int(argc, argv, "--trials", 60), nights = arg_int(argc, argv, "--nights", 3);
  const int ptrials = arg_int(argc, argv, "--power-trials", 10), pnights = arg_int(argc, argv, "--power-nights", 5);
  const int jobs = std::max(1, arg_int(argc, argv, "--jobs", 2));
  std::string dir = (std::filesystem::temp_directory_path() / "skillpipe-gate-sim").string();
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--dir") dir = argv[i + 1];
  std::filesystem::remove_all(dir);
  auto modes = gs::gate_modes();
  for (int i = 1; i + 1 < argc; ++i)  // --mode N: only that row (0 = the default)
    if (std::string(argv[i]) == "--mode") modes = {modes.at(static_cast<std::size_t>(std::atoi(argv[i + 1])))};
  std::vector<Row> rows(modes.size());
  std::mutex mu;
  std::size_t next = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto work = [&] {
    while (true) {
      std::size_t i;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= modes.size()) return;
        i = next++;
      }
      const std::string d = dir + "/mode" + std::to_string(i);
      gs::write_scenario_files(d);
      rows[i].mode = modes[i].label;
      rows[i].noise = gs::simulate({"noise", 0.2, nights}, modes[i], trials, d, run);
      rows[i].power_det = gs::simulate({"power", 0.0, pnights}, modes[i], ptrials, d, run);
      rows[i].power_noisy = gs::simulate({"power", 0.2, pnights}, modes[i], ptrials, d, run);
      std::lock_guard<std::mutex> lock(mu);
      std::cerr << "done: " << modes[i].label << "\n";
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) pool.emplace_back(work);
  for (auto& t : pool) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::printf("| gate mode | noise: trials accepting a no-op edit (of %d) | no-op edits accepted | rules learned "
              "in %d nights, deterministic target (of %d, mean of %d trials) | same, 20%%-flip target |\n",
              trials, pnights, gs::kRules, ptrials);
  std::printf("|---|---|---|---|---|\n");
  int failed = 0;
  for (const auto& r : rows) {
    failed += r.noise.failed_runs + r.power_det.failed_runs + r.power_noisy.failed_runs;
    std::printf("| %s | %d/%d | %d | %.1f | %.1f |\n", r.mode.c_str(), r.noise.trials_with_acceptance, r.noise.trials,
                r.noise.edits_accepted, r.power_det.rules_learned, r.power_noisy.rules_learned);
  }
  std::printf("\nnoise: 40 tasks (12 val), 20%% of answers flipped, no-op optimizer, %d nights per trial; %.0f s\n",
              nights, secs);
  for (const auto& r : rows)
    for (const auto* o : {&r.noise, &r.power_det, &r.power_noisy})
      for (const auto& e : o->errors) std::fprintf(stderr, "%s: %s\n", r.mode.c_str(), e.c_str());
  if (failed) std::fprintf(stderr, "%d experiment run(s) failed\n", failed);
  return failed ? 1 : 0;
}
