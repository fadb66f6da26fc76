// harvest_options.cpp - harvester options from config, project scope, and file discovery.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
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

std::string resolve_home(std::string_view home, std::string_view default_home) {
  std::string h = expand_path(std::string(home));
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  // The user's home given for the agent's folder (--home ~ for ~/.claude): use the folder.
  // `rel` is the folder relative to a home: ".claude", ".local/share/opencode".
  std::string_view rel = default_home;
  while (rel.size() > 1 && rel.back() == '/') rel.remove_suffix(1);
  if (rel.starts_with("~/")) rel.remove_prefix(2);
  else if (std::size_t slash = rel.rfind('/'); slash != std::string_view::npos) rel.remove_prefix(slash + 1);
  if (rel.empty() || rel == "~" || (h.size() >= rel.size() && h.compare(h.size() - rel.size(), rel.size(), rel) == 0))
    return h;
  struct stat st{};
  std::string inner = (h == "/" ? std::string() : h) + "/" + std::string(rel);
  if (::stat(inner.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return inner;
  return h;
}

Options options_from_config(const Config& c, const Context& ctx, std::string_view default_home) {
  Options o;
  o.home = resolve_home(c.get_string("home", default_home), default_home);
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
  if (o.lookback_hours < 0 || !std::isfinite(o.lookback_hours) || o.lookback_hours > kMaxDurationHours)
    throw ConfigError("lookback_hours must be between 0 (everything) and " + std::to_string(static_cast<long>(kMaxDurationHours)) +
                          " (a century); got " + std::to_string(o.lookback_hours), c.pointer() + "/lookback_hours");
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
  auto size_key = [&](const char* key, std::size_t& field, std::int64_t min) {
    std::int64_t v = c.get_int(key, static_cast<std::int64_t>(field));
    if (v < min) throw ConfigError(std::string(key) + " must be >= " + std::to_string(min), c.pointer() + "/" + key);
    field = static_cast<std::size_t>(v);
  };
  size_key("max_turns", o.max_turns, 2);
  size_key("max_commands", o.max_commands, 0);
  size_key("max_files", o.max_files, 0);
  size_key("max_tools", o.max_tools, 1);
  o.max_file_bytes = c.get_int("max_file_bytes", o.max_file_bytes);
  if (o.max_file_bytes < 0) throw ConfigError("max_file_bytes must be >= 0 (0 = no limit)", c.pointer() + "/max_file_bytes");
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

const char* kind_of(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
  if (S_ISDIR(m)) return "a directory";
  return "not a regular file";
}

std::string real_path(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (!r) return {};
  std::string out(r);
  std::free(r);
  return out;
}

class Walker {
 public:
  Walker(const AcceptFn& file, const AcceptFn& dir, std::string confine, int max_depth)
      : accept_file_(file), accept_dir_(dir), confine_(std::move(confine)), max_depth_(max_depth) {}

  void dir(int dirfd, const std::string& path, int depth) {
    DIR* d = ::fdopendir(dirfd);
    if (!d) {
      ::close(dirfd);
      ++out.dirs_unreadable;
      return;
    }
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      entry(::dirfd(d), path + "/" + e->d_name, e->d_name, depth);
    }
    ::closedir(d);
  }

  Candidates out;

 private:
  void issue(const std::string& path, FileProblem p, std::string detail) {
    out.skipped.push_back(FileIssue{path, p, std::move(detail)});
  }

  void entry(int dirfd, const std::string& path, const char* cname, int depth) {
    std::string_view name = cname;
    struct stat lst{};
    if (::fstatat(dirfd, cname, &lst, AT_SYMLINK_NOFOLLOW) != 0) return;  // gone meanwhile
    if (S_ISLNK(lst.st_mode)) return link(dirfd, path, cname);
    if (S_ISDIR(lst.st_mode)) {
      if (accept_file_(name, path)) issue(path, FileProblem::kNotRegular, "a directory named like a transcript");
      if (accept_dir_ && !accept_dir_(name, path)) return;
      if (depth >= max_depth_) {
        issue(path, FileProblem::kTooDeep, "deeper than " + std::to_string(max_depth_) + " directories; not searched");
        return;
      }
      if (!seen_.insert({lst.st_dev, lst.st_ino}).second) {
        issue(path, FileProblem::kLoop, "this directory was already searched (a loop through a mount)");
        return;
      }
      int fd = ::openat(dirfd, cname, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) {
        ++out.dirs_unreadable;
        return;
      }
      return dir(fd, path, depth + 1);
    }
    if (!accept_file_(name, path)) return;
    if (!S_ISREG(lst.st_mode)) return issue(path, FileProblem::kNotRegular, kind_of(lst.st_mode));
    out.files.push_back(info_from(path, lst));
  }

  // A symlink: files it resolves to inside the home are read under the link's name; links
  // that leave the home are refused; directories behind links are not searched.
  void link(int dirfd, const std::string& path, const char* cname) {
    std::string_view name = cname;
    struct stat st{};
    if (::fstatat(dirfd, cname, &st, 0) != 0) {
      if (errno == ELOOP && accept_file_(name, path)) issue(path, FileProblem::kLoop, "a symlink loop");
      return;  // dangling: nothing to read
    }
    const bool wanted = S_ISDIR(st.st_mode) ? false : accept_file_(name, path);
    std::string target = real_path(path);
    const bool inside = !target.empty() && (target == confine_ || (target.size() > confine_.size() &&
                                            target.compare(0, confine_.size(), confine_) == 0 &&
                                            (confine_ == "/" || target[confine_.size()] == '/')));
    if (!inside) {
      if (wanted || S_ISDIR(st.st_mode))
        issue(path, FileProblem::kLinkOutsideHome,
              "a symlink to " + (target.empty() ? std::string("an unresolvable path") : target) +
                  ", outside " + confine_ + "; not read");
      return;
    }
    if (!wanted) return;
    if (!S_ISREG(st.st_mode)) return issue(path, FileProblem::kNotRegular, std::string("a symlink to ") + kind_of(st.st_mode));
    FileInfo f = info_from(target, st);
    f.zstd = ends_with(path, ".zst");
    f.key = f.zstd ? path.substr(0, path.size() - 4) : path;
    out.files.push_back(std::move(f));
  }

  const AcceptFn& accept_file_;
  const AcceptFn& accept_dir_;
  std::string confine_;
  int max_depth_;
  std::set<std::pair<dev_t, ino_t>> seen_;
};

}  // namespace

std::optional<FileInfo> stat_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return info_from(path, st);
}

const char* to_string(FileProblem p) {
  switch (p) {
    case FileProblem::kNotRegular: return "not_regular";
    case FileProblem::kLinkOutsideHome: return "link_outside_home";
    case FileProblem::kLoop: return "loop";
    case FileProblem::kTooDeep: return "too_deep";
    case FileProblem::kUnreadable: return "unreadable";
    case FileProblem::kBinary: return "binary";
    case FileProblem::kDamaged: return "damaged";
    case FileProblem::kOversizeLines: return "oversize_lines";
    case FileProblem::kTornTail: return "torn_tail";
    case FileProblem::kCut: return "cut";
  }
  return "unknown";
}

Candidates walk_files(const std::string& root, const AcceptFn& accept_file, const AcceptFn& accept_dir,
                      const std::string& confine, int max_depth) {
  // The home itself may be a link (~/.claude -> /data/claude): the user chose it.
  std::string home = real_path(confine.empty() ? root : confine);
  std::string start = real_path(root);
  Walker w(accept_file, accept_dir, home, max_depth);
  if (start.empty() || home.empty()) return std::move(w.out);  // a missing home: nothing to harvest
  int fd = ::open(start.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::move(w.out);
  w.dir(fd, root, 0);
  return std::move(w.out);
}

}  // namespace skillpipe::harvest
