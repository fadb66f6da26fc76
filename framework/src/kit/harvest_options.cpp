// harvest_options.cpp - harvester options from config, project scope, and file discovery.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {
namespace {

std::string_view strip_slash(std::string_view s) {
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  return s;
}

// child is parent or lies inside it.
bool within(std::string_view child, std::string_view parent) {
  if (child == parent) return true;
  return child.size() > parent.size() && child.substr(0, parent.size()) == parent &&
         (parent.back() == '/' || child[parent.size()] == '/');
}

}  // namespace

bool Options::in_scope(std::string_view project) const {
  if (scope == ProjectScope::kAll) return true;
  std::string_view p = strip_slash(project);
  if (p.empty()) return false;
  for (const auto& q0 : projects) {
    std::string_view q = strip_slash(q0);
    if (q.empty()) continue;
    if (within(p, q)) return true;                 // the project or one of its sub-directories
    if (p != "/" && within(q, p)) return true;     // a parent directory (but not the root)
  }
  return false;
}

std::int64_t Options::cutoff_ms(std::int64_t now) const {
  if (since_ms) return *since_ms;
  if (lookback_hours <= 0) return 0;
  return now - static_cast<std::int64_t>(std::llround(lookback_hours * 3600.0 * 1000.0));
}

Options options_from_config(const Config& c, const Context& ctx, std::string_view default_home) {
  Options o;
  o.home = expand_path(c.get_string("home", default_home));
  while (o.home.size() > 1 && o.home.back() == '/') o.home.pop_back();
  std::string scope = c.get_string("project_scope", c.has("projects") ? "list" : "invoked");
  if (scope == "all") {
    o.scope = ProjectScope::kAll;
  } else if (scope == "list") {
    o.scope = ProjectScope::kList;
    for (auto& p : c.get_string_list("projects")) o.projects.push_back(expand_path(p));
    if (o.projects.empty())
      throw ConfigError("project_scope \"list\" needs a non-empty \"projects\" list", c.pointer() + "/projects");
  } else if (scope == "invoked") {
    const std::string& p = ctx.run().project;
    if (p.empty() || p == "all") o.scope = ProjectScope::kAll;
    else o.projects = {p};
  } else {
    throw ConfigError("project_scope must be \"invoked\", \"all\" or \"list\", not \"" + scope + "\"",
                      c.pointer() + "/project_scope");
  }
  o.lookback_hours = c.get_double("lookback_hours", 72);
  if (o.lookback_hours < 0 || !std::isfinite(o.lookback_hours))
    throw ConfigError("lookback_hours must be >= 0 (0 = everything)", c.pointer() + "/lookback_hours");
  o.max_sessions = c.get_int("max_sessions", 200);
  if (o.max_sessions < 0) throw ConfigError("max_sessions must be >= 0", c.pointer() + "/max_sessions");
  o.agent_markers = c.get_string_list("agent_markers");
  Config fb = c.get_object("feedback");
  for (auto& p : fb.get_string_list("positive")) o.lexicon.positive.push_back(p);
  for (auto& p : fb.get_string_list("negative")) o.lexicon.negative.push_back(p);
  std::int64_t line = c.get_int("max_line_bytes", static_cast<std::int64_t>(o.max_line_bytes));
  if (line < 1024) throw ConfigError("max_line_bytes must be >= 1024", c.pointer() + "/max_line_bytes");
  o.max_line_bytes = static_cast<std::size_t>(line);
  std::int64_t text = c.get_int("max_text_bytes", static_cast<std::int64_t>(o.max_text_bytes));
  if (text < 256) throw ConfigError("max_text_bytes must be >= 256", c.pointer() + "/max_text_bytes");
  o.max_text_bytes = static_cast<std::size_t>(text);
  o.threads = static_cast<int>(c.get_int("threads", 0));
  if (o.threads < 0 || o.threads > 64) throw ConfigError("threads must be 0..64", c.pointer() + "/threads");
  o.settle_minutes = static_cast<int>(c.get_int("settle_minutes", o.settle_minutes));
  if (o.settle_minutes < 0) throw ConfigError("settle_minutes must be >= 0", c.pointer() + "/settle_minutes");
  o.use_cursors = c.get_bool("use_cursors", true);
  return o;
}

namespace {

FileInfo info_from(const std::string& path, const struct stat& st) {
  FileInfo f;
  f.path = path;
  f.dev = static_cast<std::uint64_t>(st.st_dev);
  f.inode = static_cast<std::uint64_t>(st.st_ino);
  f.size = static_cast<std::int64_t>(st.st_size);
  f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  f.zstd = ends_with(path, ".zst");
  f.key = f.zstd ? path.substr(0, path.size() - 4) : path;
  return f;
}

void walk(int dirfd, const std::string& dir, std::vector<FileInfo>& out,
          const std::function<bool(std::string_view, std::string_view)>& accept_file,
          const std::function<bool(std::string_view, std::string_view)>& accept_dir,
          std::int64_t* errors, int depth) {
  DIR* d = ::fdopendir(dirfd);
  if (!d) {
    ::close(dirfd);
    if (errors) ++*errors;
    return;
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    unsigned char type = e->d_type;
    struct stat st{};
    if (type == DT_UNKNOWN || type == DT_LNK || type == DT_REG) {
      // Symlinks: follow to files, never to directories (no loops, no escaping the home).
      if (::fstatat(::dirfd(d), e->d_name, &st, 0) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        struct stat lst{};
        if (::fstatat(::dirfd(d), e->d_name, &lst, AT_SYMLINK_NOFOLLOW) != 0 || S_ISLNK(lst.st_mode)) continue;
        type = DT_DIR;
      } else if (S_ISREG(st.st_mode)) {
        type = DT_REG;
      } else {
        continue;
      }
    }
    std::string path = dir + "/" + e->d_name;
    if (type == DT_DIR) {
      if (depth > 32 || (accept_dir && !accept_dir(name, path))) continue;
      int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) {
        if (errors) ++*errors;
        continue;
      }
      walk(fd, path, out, accept_file, accept_dir, errors, depth + 1);
    } else if (type == DT_REG && accept_file(name, path)) {
      out.push_back(info_from(path, st));
    }
  }
  ::closedir(d);
}

}  // namespace

std::optional<FileInfo> stat_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return info_from(path, st);
}

std::vector<FileInfo> walk_files(const std::string& root,
                                 const std::function<bool(std::string_view, std::string_view)>& accept_file,
                                 const std::function<bool(std::string_view, std::string_view)>& accept_dir,
                                 std::int64_t* errors) {
  std::vector<FileInfo> out;
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return out;  // a missing home is not an error: nothing to harvest
  walk(fd, root, out, accept_file, accept_dir, errors, 0);
  return out;
}

}  // namespace skillpipe::harvest
