#include "workspace.hpp"

#include <filesystem>
#include <set>
#include <system_error>

#include "clean_process.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

std::string first_line(const std::string& s) {
  const std::string t = trim(s);
  return t.substr(0, t.find('\n'));
}

std::string git_or_throw(const std::string& dir, const std::vector<std::string>& args, const std::string& what) {
  GitResult r = run_git(dir, args);
  if (r.exit_code != 0) {
    std::string cmd = "git";
    for (const auto& a : args) cmd += " " + a;
    throw Error(what + ": `" + cmd + "` in " + dir + " failed: " + first_line(r.err.empty() ? r.out : r.err));
  }
  return trim(r.out);
}

bool is_commit(const std::string& repo, const std::string& rev) {
  if (rev.empty()) return false;
  return run_git(repo, {"cat-file", "-e", rev + "^{commit}"}).exit_code == 0;
}

// The newest commit of `rev` before `at`, or "".
std::string commit_before(const std::string& repo, const std::string& rev, const std::string& at) {
  if (!is_commit(repo, rev)) return {};
  GitResult r = run_git(repo, {"rev-list", "-1", "--before=" + at, rev, "--"});
  return r.exit_code == 0 ? trim(r.out) : std::string();
}

std::string head_or_throw(const std::string& repo) {
  GitResult r = run_git(repo, {"rev-parse", "--verify", "--quiet", "HEAD^{commit}"});
  if (r.exit_code != 0 || trim(r.out).empty())
    throw Error("the repository " + repo + " has no commit yet, so there is nothing to replay a task on");
  return trim(r.out);
}

void resolve_commit(StartPoint& sp, const SourceHint& hint) {
  const std::string& repo = sp.repo_root;
  std::string why;
  if (!hint.commit.empty()) {
    if (is_commit(repo, hint.commit)) {
      sp.commit = git_or_throw(repo, {"rev-parse", hint.commit + "^{commit}"}, "resolving the session's commit");
      sp.how = StartHow::kSessionCommit;
      return;
    }
    why = "the session's commit " + hint.commit.substr(0, 12) + " is not in this repository";
  }
  if (!hint.started_at.empty()) {
    for (const std::string& rev : {hint.branch, "origin/" + hint.branch}) {
      if (hint.branch.empty()) break;
      sp.commit = commit_before(repo, rev, hint.started_at);
      if (!sp.commit.empty()) {
        sp.how = StartHow::kBranchAtStart;
        sp.note = why;
        return;
      }
    }
    if (!hint.branch.empty())
      why += (why.empty() ? "" : "; ") + ("branch '" + hint.branch + "' has no commit before " + hint.started_at);
    if (hint.branch.empty()) {
      sp.commit = commit_before(repo, "HEAD", hint.started_at);
      if (!sp.commit.empty()) {
        sp.how = StartHow::kHeadAtStart;
        sp.note = (why.empty() ? std::string() : why + "; ") + "the session recorded no branch, so HEAD's history was used";
        return;
      }
      why += (why.empty() ? "" : "; ") + ("HEAD has no commit before " + hint.started_at);
    }
  } else if (why.empty()) {
    why = "the session recorded no commit and no start time";
  }
  sp.commit = head_or_throw(repo);
  sp.how = StartHow::kHead;
  sp.note = why + "; replaying on HEAD (" + sp.commit.substr(0, 12) + ") instead";
}

}  // namespace

const char* to_string(StartHow h) {
  switch (h) {
    case StartHow::kSessionCommit: return "session_commit";
    case StartHow::kBranchAtStart: return "branch_at_start";
    case StartHow::kHeadAtStart: return "head_at_start";
    case StartHow::kHead: return "head";
    case StartHow::kCopy: return "copy";
  }
  return "head";
}

StartPoint resolve_start(const std::string& project, const SourceHint& hint) {
  std::error_code ec;
  StartPoint sp;
  sp.project = fs::weakly_canonical(fs::path(expand_path(project)), ec).string();
  if (project.empty() || !fs::is_directory(sp.project, ec))
    throw Error("the task's project directory '" + project +
                "' does not exist on this machine; an agentic replay needs the project's files (run the night "
                "where the project lives, or drop the task)");
  GitResult top = run_git(sp.project, {"rev-parse", "--show-toplevel"});
  if (top.exit_code != 0) {
    sp.how = StartHow::kCopy;
    sp.note = "not a git repository: the replay works on a copy of the tree as it is now";
    return sp;
  }
  sp.repo_root = trim(top.out);
  sp.subdir = fs::relative(sp.project, fs::canonical(sp.repo_root, ec), ec).generic_string();
  if (sp.subdir == ".") sp.subdir.clear();
  const std::string common =
      git_or_throw(sp.project, {"rev-parse", "--path-format=absolute", "--git-common-dir"}, "finding the repository");
  sp.git_common_dir = common;
  resolve_commit(sp, hint);
  return sp;
}

namespace {

// Files and folders that hold credentials by convention (.env, keys, token files). A git
// checkout leaves them out when they are untracked, as they should be; a copy leaves them out
// too, so an unattended replay never hands them to the agent and, through it, to its model.
bool credential_path(const fs::path& p, bool dir) {
  const std::string n = p.filename().string();
  if (dir) return n == ".ssh" || n == ".aws" || n == ".gnupg" || n == ".docker";
  if (n == ".env" || n.rfind(".env.", 0) == 0)
    return n != ".env.example" && n != ".env.sample" && n != ".env.template" && n != ".env.dist";
  static const std::set<std::string> kNames = {".netrc", ".npmrc", ".pypirc", ".pgpass", ".git-credentials",
                                               "credentials", "credentials.json", "id_rsa", "id_dsa", "id_ecdsa",
                                               "id_ed25519", "secrets.json", "secrets.yaml", "secrets.yml"};
  static const std::set<std::string> kExts = {".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"};
  return kNames.count(n) > 0 || kExts.count(p.extension().string()) > 0;
}

// Calls visit(source, relative path, is symlink, is directory) for what a copy takes, in
// tree order, and names what it leaves out in `left_out`.
template <class Visit>
void walk_copyable(const std::string& from, std::vector<std::string>* left_out, Visit visit) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(from, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw Error("copying " + from + " into the replay workspace: " + ec.message());
    const fs::path rel = fs::relative(it->path(), from, ec);
    const bool link = it->is_symlink(ec), dir = !link && it->is_directory(ec);
    if (credential_path(rel, dir)) {
      if (left_out) left_out->push_back(rel.generic_string());
      if (dir) it.disable_recursion_pending();
      continue;
    }
    visit(*it, rel, link, dir);
  }
}

// Copies a project that is not a git repository, within the limits (checked before anything
// is copied), without its credential files (their relative paths go to `left_out`).
void copy_tree(const std::string& from, const std::string& to, const WorkspaceLimits& limits,
               std::vector<std::string>& left_out) {
  std::int64_t bytes = 0;
  int files = 0;
  walk_copyable(from, nullptr, [&](const fs::directory_entry& e, const fs::path&, bool link, bool dir) {
    std::error_code ec;
    if (link || dir || !e.is_regular_file(ec)) return;
    bytes += static_cast<std::int64_t>(e.file_size(ec));
    if (++files > limits.max_copy_files || bytes > limits.max_copy_bytes)
      throw Error("the project " + from + " is not a git repository and is too large to copy for a replay (more than " +
                  std::to_string(limits.max_copy_files) + " files or " +
                  std::to_string(limits.max_copy_bytes >> 20) + " MiB); make it a git repository or drop its tasks");
  });
  std::error_code ec;
  fs::create_directories(to, ec);
  walk_copyable(from, &left_out, [&](const fs::directory_entry& e, const fs::path& rel, bool link, bool dir) {
    const fs::path dest = fs::path(to) / rel;
    if (link) fs::copy_symlink(e.path(), dest, ec);
    else if (dir) fs::create_directory(dest, ec);
    else if (e.is_regular_file(ec)) fs::copy_file(e.path(), dest, ec);
    if (ec) throw Error("copying " + from + " into the replay workspace " + to + ": " + ec.message());
  });
}

}  // namespace

Workspace create_workspace(const StartPoint& start, const std::string& dir, const WorkspaceLimits& limits) {
  Workspace ws;
  ws.dir = dir;
  ws.root = dir + "/ws";
  ensure_dir(dir);
  if (start.how == StartHow::kCopy) {
    copy_tree(start.project, ws.root, limits, ws.left_out);
    ws.cwd = ws.root;
    ws.snapshot_git_dir = dir + "/snapshot.git";
    git_or_throw(dir, {"init", "--quiet", "--bare", ws.snapshot_git_dir}, "preparing the copy's snapshot");
    return ws;
  }
  git_or_throw(dir, {"clone", "--quiet", "--shared", "--no-checkout", start.repo_root, ws.root},
               "creating the replay checkout");
  git_or_throw(ws.root, {"checkout", "--quiet", "--detach", start.commit}, "checking out the task's start commit");
  // A push from the replay must never reach the user's repository.
  git_or_throw(ws.root, {"remote", "set-url", "--push", "origin", "no-push://skillpipe-replay"}, "fencing the remote");
  ws.git = true;
  ws.commit = start.commit;
  ws.git_common_dir = start.git_common_dir;
  ws.cwd = start.subdir.empty() ? ws.root : ws.root + "/" + start.subdir;
  ensure_dir(ws.cwd);
  return ws;
}

namespace {

// git arguments that address the workspace: its own repository, or the snapshot for copies.
std::vector<std::string> git_dir_args(const Workspace& ws) {
  if (ws.git) return {};
  return {"--git-dir=" + ws.snapshot_git_dir, "--work-tree=" + ws.root};
}

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The tree of everything in the workspace (tracked, new, deleted; ignored files left out),
// staged in a private index so the checkout's own index stays as the agent left it.
std::string write_tree(const Workspace& ws, const std::string& index_name) {
  const std::string index = ws.dir + "/" + index_name;
  std::error_code ec;
  if (ws.git && fs::exists(ws.root + "/.git/index", ec))  // reuse stat data: no full re-hash
    fs::copy_file(ws.root + "/.git/index", index, fs::copy_options::overwrite_existing, ec);
  const std::string env_index = "GIT_INDEX_FILE=" + index;
  GitResult add = run_git(ws.root, with(git_dir_args(ws), {"add", "-A", "--", "."}), {env_index});
  if (add.exit_code != 0) throw Error("recording the replay workspace " + ws.root + ": git add failed: " + first_line(add.err));
  GitResult tree = run_git(ws.root, with(git_dir_args(ws), {"write-tree"}), {env_index});
  if (tree.exit_code != 0) throw Error("recording the replay workspace " + ws.root + ": " + first_line(tree.err));
  return trim(tree.out);
}

}  // namespace

void mark_start(const Workspace& ws) { atomic_write_file(ws.dir + "/start.tree", write_tree(ws, "start.index") + "\n"); }

Changes collect_changes(const Workspace& ws, std::size_t max_diff_bytes) {
  Changes c;
  const auto start = read_file(ws.dir + "/start.tree");
  if (!start) throw Error("the replay workspace " + ws.dir + " has no recorded start (mark_start was not called)");
  const std::string from = trim(*start);
  const std::string to = write_tree(ws, "end.index");
  if (from == to) return c;
  GitResult names = run_git(ws.root, with(git_dir_args(ws), {"diff-tree", "-r", "--name-only", "--no-renames", "-z", from, to}));
  if (names.exit_code != 0) throw Error("listing the replay's changes: " + first_line(names.err));
  for (const auto& f : split(names.out, '\0'))
    if (!f.empty()) c.files.push_back(f);
  GitResult diff = run_git(ws.root, with(git_dir_args(ws), {"diff-tree", "-p", "--no-color", "--no-ext-diff", "--no-renames", from, to}));
  if (diff.exit_code != 0) throw Error("diffing the replay's changes: " + first_line(diff.err));
  c.diff = std::move(diff.out);
  if (c.diff.size() > max_diff_bytes) {
    c.diff = redacted_head(c.diff, max_diff_bytes) + "\n[diff truncated]\n";
    c.diff_truncated = true;
  }
  return c;
}

bool remove_workspace(const Workspace& ws, std::string* why) {
  std::error_code ec;
  if (ws.dir.empty()) return true;
  // The agent may have left read-only files (a build's output, a copied .git pack).
  for (auto it = fs::recursive_directory_iterator(ws.dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (!it->is_symlink(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
  ec.clear();
  fs::remove_all(ws.dir, ec);
  if (ec && why) *why = "could not remove the replay workspace " + ws.dir + ": " + ec.message();
  return !ec;
}

GitResult run_git(const std::string& dir, const std::vector<std::string>& args, const std::vector<std::string>& env,
                  double timeout_s) {
  CleanProcess p;
  p.argv = {"git"};
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  p.cwd = dir;
  p.env = git_environment();
  p.env.insert(p.env.end(), env.begin(), env.end());
  p.timeout_s = timeout_s;
  const ProcessOutcome r = run_clean(p);
  GitResult g;
  g.exit_code = r.started ? r.exit_code : -1;
  g.out = r.out;
  g.err = r.started ? r.err : r.start_error;
  if (r.timed_out) g.err = "git timed out after " + std::to_string(static_cast<int>(timeout_s)) + " s";
  return g;
}

}  // namespace skillpipe::backend_agent
