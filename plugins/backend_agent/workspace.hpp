// workspace.hpp - the tree an agentic replay works in: the task's repository at the commit its
// source session started from, never the user's checkout.
//
// A git project becomes a detached checkout that shares the repository's objects
// (`git clone --shared --no-checkout`, then `checkout --detach <commit>`): nothing is written
// into the user's repository (a `git worktree add` would register itself in the user's .git,
// and the agent's `git add`/`commit` would write objects there), and the user's working tree,
// index and uncommitted changes are never read or touched. A project that is not a git
// repository is copied; its changes are tracked in a snapshot repository outside the tree, so
// the agent sees the tree exactly as the user has it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace skillpipe::backend_agent {

// What the source session tells about where it started.
struct SourceHint {
  std::string commit;      // Codex: session_meta git.commit_hash
  std::string branch;      // the session's branch
  std::string started_at;  // ISO-8601
};

enum class StartHow {
  kSessionCommit,  // the commit the session recorded
  kBranchAtStart,  // the newest commit on the branch before the session started
  kHeadAtStart,    // the newest commit on HEAD before the session started (no branch known)
  kHead,           // HEAD now: nothing better was known (the note says why)
  kCopy,           // not a git repository: a copy of the tree
};
const char* to_string(StartHow h);

struct StartPoint {
  std::string project;     // the session's working directory (absolute)
  std::string repo_root;   // its git top level ("" for kCopy)
  std::string git_common_dir;  // the repository's object store owner (.git), for read-only binds
  std::string subdir;      // project relative to repo_root ("" at the top)
  std::string commit;      // full hash ("" for kCopy)
  StartHow how = StartHow::kHead;
  std::string note;        // why a fallback was used ("" when none)
};

// Resolves where a replay of a task from `project` starts. Throws Error when the project
// directory does not exist or git fails on an existing repository.
StartPoint resolve_start(const std::string& project, const SourceHint& hint);

struct WorkspaceLimits {
  std::int64_t max_copy_bytes = 512LL << 20;  // a non-git project larger than this is refused
  int max_copy_files = 50000;
};

struct Workspace {
  std::string dir;         // the replay's own directory (holds root, and the snapshot for copies)
  std::string root;        // the checkout or copy
  std::string cwd;         // where the agent starts: root/subdir
  std::string commit;      // what `root` was checked out at ("" for copies)
  bool git = false;        // root is a git checkout the agent sees
  std::string snapshot_git_dir;  // copies: the repository outside the tree that records the start
  std::string git_common_dir;    // the user's repository objects the checkout borrows (read-only)
  std::vector<std::string> left_out;  // copies: credential files not copied (.env, keys; relative paths)
};

// Creates `dir`/ws from `start`. Throws Error with git's or the file system's message.
Workspace create_workspace(const StartPoint& start, const std::string& dir, const WorkspaceLimits& limits = {});

// Records the tree as the agent will find it (after the documents are installed), so the
// agent's changes can be told apart from the setup.
void mark_start(const Workspace& ws);

struct Changes {
  std::vector<std::string> files;  // relative to the workspace root, sorted
  std::string diff;                // unified diff against the start (binary files named only)
  bool diff_truncated = false;
};

// What the agent changed since mark_start(): tracked, new (not ignored) and deleted files.
Changes collect_changes(const Workspace& ws, std::size_t max_diff_bytes = 4u << 20);

// Removes the workspace directory. Never throws; returns false (and *why) when it could not.
bool remove_workspace(const Workspace& ws, std::string* why = nullptr);

// Runs git with a fixed, minimal environment (no user config, no pager, no prompts).
struct GitResult {
  int exit_code = -1;
  std::string out, err;
};
// `env` adds "NAME=value" entries (GIT_INDEX_FILE=...).
GitResult run_git(const std::string& dir, const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  double timeout_s = 300);

}  // namespace skillpipe::backend_agent
