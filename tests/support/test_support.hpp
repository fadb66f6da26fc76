// test_support.hpp - helpers shared by the test suites.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"

namespace skillpipe::testing {

// Environment set by CTest (see tests/CMakeLists.txt); these fall back to build-time paths.
std::string plugin_dir();          // the build's plugin directory
std::string skillpipe_bin();       // the built skillpipe executable
std::string test_data_dir();       // tests/data
std::string source_dir();          // the project root
std::string shared_dir();          // ../shared beside the project root

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& content);  // creates parent dirs
std::string read_text(const std::string& path);

// A registry over the build's plugin directory.
std::unique_ptr<host::PluginRegistry> make_registry();

struct CommandResult {
  int exit_code = -1;
  std::string out;   // stdout
  std::string err;   // stderr
};
// Runs the skillpipe binary with `args` (no shell), optional extra environment "K=V" entries
// and working directory.
CommandResult run_skillpipe(const std::vector<std::string>& args,
                            const std::vector<std::string>& env = {},
                            const std::string& cwd = {});
// Runs any program the same way.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::string>& env = {}, const std::string& cwd = {});

}  // namespace skillpipe::testing
