// stale_temps.cpp - the temp files a killed writer leaves beside the files it replaces
// (write_atomic's ".<name>.tmp-<pid>-<sequence>"), and their removal once that writer is gone.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "durable_fs.hpp"

namespace skillpipe::store_files {

// Exactly what temp_path_for() makes: ".<name>.tmp-<pid>-<sequence>". Recovery unlinks these
// beside live documents, so nothing looser may match (a user's ".notes.tmp-keep" stays).
bool is_temp_name(std::string_view name) {
  const auto at = name.rfind(".tmp-");
  if (name.size() < 2 || name[0] != '.' || at == std::string_view::npos || at < 2) return false;
  const std::string_view tail = name.substr(at + 5);
  const auto dash = tail.find('-');
  auto digits = [](std::string_view d) {
    return !d.empty() && d.size() <= 19 && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dash != std::string_view::npos && digits(tail.substr(0, dash)) && digits(tail.substr(dash + 1));
}

bool pid_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

void remove_stale_temps(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (!is_temp_name(name)) continue;
    const auto at = name.rfind(".tmp-");
    const long pid = std::strtol(std::string(name.substr(at + 5)).c_str(), nullptr, 10);
    if (pid != ::getpid() && !pid_alive(pid)) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

void remove_stale_temps_below(const std::string& dir) {
  remove_stale_temps(dir);
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) remove_stale_temps(it->path().string());
  }
}

}  // namespace skillpipe::store_files
