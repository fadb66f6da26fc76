// skillpipe new-plugin NAME --kind KIND [--dir DIR] [--force]
//
// Writes DIR/NAME/ (DIR defaults to the current directory): a CMakeLists.txt that builds
// against an installed SDK or inside the skillpipe tree, NAME.cpp with a minimal working
// plugin of that kind, a conformance test and a README. The folder builds and passes the
// conformance harness as written (tests/sdk checks every kind).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>

#include "cli_common.hpp"
#include "pipeline_path.hpp"
#include "scaffold/templates.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::app {

namespace {

// How CMake finds this skillpipe's SDK package, from where this executable is: an installed
// <prefix>/bin/skillpipe has <prefix>/lib*/cmake/skillpipe/; a build tree's bin/skillpipe has
// skillpipeConfig.cmake one level up. "" when neither is there.
std::string cmake_package_hint() {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path root = exe.parent_path().parent_path();
  for (const char* lib : {"lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu", "share"})
    if (fs::exists(root / lib / "cmake" / "skillpipe" / "skillpipeConfig.cmake", ec))
      return "-DCMAKE_PREFIX_PATH=" + shell_quote(root.string());
  if (fs::exists(root / "skillpipeConfig.cmake", ec)) return "-Dskillpipe_DIR=" + shell_quote(root.string());
  return "";
}

}  // namespace

int cmd_new_plugin(const Args& args) {
  CommonOptions common;
  std::string name, kind, dir = ".";
  bool force = false;
  po::options_description desc("options");
  std::string kinds;
  for (const auto& k : scaffold::kinds()) kinds += (kinds.empty() ? "" : ", ") + k;
  desc.add_options()("name", po::value(&name), "plugin name: lower-case letters, digits and _ (e.g. judge_regex)")(
      "kind", po::value(&kind), ("what it is: " + kinds).c_str())(
      "dir", po::value(&dir), "create the folder NAME inside this directory (default: .)")(
      "force", po::bool_switch(&force), "write into an existing non-empty folder, replacing the generated files");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe new-plugin NAME --kind KIND [--dir DIR]", desc, &pos, vm, common))
    return *rc;
  if (name.empty() || kind.empty()) {
    error(std::string("needs a NAME and --kind (") + kinds + ")", name.empty() ? "NAME" : "--kind");
    return 2;
  }
  if (!std::regex_match(name, std::regex("[a-z][a-z0-9_]{0,63}"))) {
    error("'" + name +
              "' is not a plugin name: use lower-case letters, digits and '_', starting with a letter "
              "(it becomes libskillpipe_" +
              name + ".so and the `plugin:` value in pipelines)",
          "NAME");
    return 2;
  }
  if (!scaffold::kind_source(kind)) {
    error("unknown kind '" + kind + "' (one of: " + kinds + ")", "--kind");
    return 2;
  }
  if (const std::string bad = output_dir_problem("--dir", dir); !bad.empty()) {
    path_error(bad);
    return 2;
  }
  const fs::path folder = fs::path(expand_path(dir)) / name;
  std::error_code ec;
  if (fs::exists(folder, ec) && !fs::is_empty(folder, ec) && !force) {
    error(folder.string() + " already exists and is not empty", "--dir", "choose another --dir or pass --force");
    return 2;
  }
  try {
    for (const auto& f : scaffold::plugin_files(name, kind)) {
      const fs::path path = folder / f.path;
      ensure_dir(path.parent_path().string());
      atomic_write_file(path.string(), f.content);
      std::printf("  wrote %s\n", path.string().c_str());
    }
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
  const std::string f = folder.string();
  const std::string where = cmake_package_hint();
  std::printf(
      "\nNew %s plugin '%s' in %s. Next:\n"
      "  cmake -S %s -B %s/build %s\n"
      "  cmake --build %s/build && ctest --test-dir %s/build --output-on-failure\n"
      "(inside the skillpipe tree, put it under plugins/ instead)\n",
      kind.c_str(), name.c_str(), f.c_str(), f.c_str(), f.c_str(),
      where.empty() ? "-DCMAKE_PREFIX_PATH=DIR" : where.c_str(), f.c_str(), f.c_str());
  if (where.empty())
    std::printf("DIR: where the skillpipe SDK is installed (no skillpipeConfig.cmake was found beside %s)\n",
                self_command().c_str());
  return 0;
}

}  // namespace skillpipe::app
