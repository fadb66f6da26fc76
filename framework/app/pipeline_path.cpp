// Finding a named pipeline (pipeline_path.hpp).
#include "pipeline_path.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace fs = std::filesystem;
namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string absolute_of(const fs::path& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal().string();
}

// The bundled files `arg` may mean, most specific first.
std::vector<fs::path> bundled_candidates(const std::string& arg, const std::string& dir) {
  std::vector<fs::path> out;
  if (dir.empty()) return out;
  fs::path rel(arg);
  if (arg.find('/') == std::string::npos) {
    out.push_back(fs::path(dir) / rel);
    if (rel.extension() != ".yaml" && rel.extension() != ".yml") out.push_back(fs::path(dir) / (arg + ".yaml"));
    return out;
  }
  const fs::path norm = rel.lexically_normal();
  auto it = norm.begin();
  if (it != norm.end() && *it == "pipelines") {
    fs::path rest;
    for (++it; it != norm.end(); ++it) rest /= *it;
    if (!rest.empty()) out.push_back(fs::path(dir) / rest);
  }
  return out;
}

}  // namespace

std::string bundled_pipeline_dir() {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path dir = exe.parent_path().parent_path() / SKILLPIPE_DATA_SUBDIR / "skillpipe" / "pipelines";
  return fs::is_directory(dir, ec) ? dir.string() : "";
}

std::string self_command() {
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec) return "skillpipe";
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "", ':')) {
    if (dir.empty()) continue;
    const fs::path found = fs::canonical(fs::path(dir) / "skillpipe", ec);
    if (!ec && found == exe) return "skillpipe";
  }
  return exe.string();
}

std::vector<std::string> bundled_pipeline_names() {
  std::vector<std::string> names;
  const std::string dir = bundled_pipeline_dir();
  if (dir.empty()) return names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml" && is_file(e.path())) names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string resolve_pipeline(const std::string& arg) {
  const std::string given = expand_path(arg);
  std::vector<std::string> tried{absolute_of(given)};
  if (is_file(given)) return tried.front();
  const std::string dir = bundled_pipeline_dir();
  for (const auto& c : bundled_candidates(given, dir)) {
    if (is_file(c)) return absolute_of(c);
    tried.push_back(c.string());
  }
  // Something is there, but no file a pipeline can be read from: say what it is.
  std::error_code ec;
  if (const auto st = fs::status(given, ec); st.type() == fs::file_type::directory)
    throw ConfigError("the pipeline \"" + arg + "\" is a directory; name a pipeline YAML file (e.g. " +
                      (fs::path(tried.front()) / "nightly.yaml").string() + ") or a bundled pipeline by name");
  else if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::none)
    throw ConfigError("the pipeline \"" + arg + "\" is not a regular file (a device, FIFO or socket); name a pipeline YAML file");
  std::string msg = "the pipeline \"" + arg + "\" does not exist; tried:";
  for (const auto& t : tried) msg += "\n  " + t;
  const auto names = bundled_pipeline_names();
  if (names.empty()) {
    msg += "\nno bundled pipelines were found next to this skillpipe (" +
           (dir.empty() ? std::string("<prefix>/share/skillpipe/pipelines is missing") : dir) +
           "); pass the path of a pipeline YAML file";
  } else {
    msg += "\nbundled pipelines (in " + dir + "), usable by name:";
    for (const auto& n : names) msg += " " + n;
    msg += "\ne.g. `skillpipe run nightly`";
  }
  throw ConfigError(msg);
}

}  // namespace skillpipe::app
