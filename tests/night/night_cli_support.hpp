// night_cli_support.hpp - running a whole night through the CLI and reading its summary
// (night_cli_test.cpp, night_scripted_test.cpp).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "test_support.hpp"

namespace skillpipe::night_test {

// The test-support names every night test uses.
using testing::read_text;
using testing::run_skillpipe;
using testing::TempDir;
using testing::write_text;

inline std::string pipeline() { return testing::source_dir() + "/pipelines/experiment.yaml"; }
inline std::string data(const std::string& f) { return testing::test_data_dir() + "/night/" + f; }

struct Night {
  testing::CommandResult cmd;
  rapidjson::Document summary;
  const rapidjson::Value& report() const { return summary["report"]; }
  std::string action() const { return report()["gate_action"].GetString(); }
  std::string dir() const { return summary["night_dir"].GetString(); }
};

inline Night run_night(const std::string& pipeline_file, const std::string& project, const std::string& store,
                const std::vector<std::string>& sets, const std::vector<std::string>& env = {}) {
  std::vector<std::string> args = {"run", pipeline_file, "--project", project, "--store", store, "--json"};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  Night n;
  n.cmd = run_skillpipe(args, env);
  n.summary.Parse(n.cmd.out.c_str());
  return n;
}

inline std::string notes_of(const rapidjson::Value& report) {
  std::string all;
  for (const auto& n : report["notes"].GetArray()) all += std::string(n.GetString()) + "\n";
  return all;
}

}  // namespace skillpipe::night_test
