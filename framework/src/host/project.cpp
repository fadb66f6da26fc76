#include "host/project.hpp"

#include <cstdlib>
#include <filesystem>

#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {

std::string resolve_project(const std::string& p) {
  if (p == "all") return "all";
  const std::string path = p.empty() || p == "invoked" ? fs::current_path().string() : expand_path(p);
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal().string() : canonical.string();
}

std::string default_store_root(const std::string& cli_store) {
  std::string root = cli_store;
  if (root.empty()) {
    const char* env = std::getenv("SKILLPIPE_STORE");
    root = env && *env ? env : "~/.skillpipe";
  }
  return fs::absolute(expand_path(root)).lexically_normal().string();
}

}  // namespace skillpipe::host
