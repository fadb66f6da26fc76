// confinement.hpp - an OS sandbox around an agent replay, so its commands can change nothing
// outside its workspace and scratch home.
//
// Claude Code's own permission modes cannot do this (docs/agent-clis.md: acceptEdits blocks
// most commands, and allowing Bash lets a command write anywhere). bubblewrap (`bwrap`,
// Debian package bubblewrap; no root needed) can: the whole file system is mounted read-only,
// the user's home and /tmp are replaced by empty private file systems, and only the
// workspace, the scratch home and the agent's own install are mounted back (the first two
// writable). The agent gets its own PID namespace (it cannot see or signal the user's
// processes) and a new session (no terminal injection); the network stays (it must reach the
// model).
#pragma once

#include <string>
#include <vector>

namespace skillpipe::backend_agent {

enum class ConfineMode {
  kAuto,        // bubblewrap when it works here; otherwise refuse Claude replays, and let Codex
                // rely on its own workspace-write sandbox
  kBubblewrap,  // bubblewrap or refuse
  kNone,        // no OS sandbox: the user accepted that Claude's Bash can write anywhere
};

// What actually confines a replay (recorded in every trajectory).
enum class Confinement { kBubblewrap, kCodexSandbox, kNone };
const char* to_string(Confinement c);  // "bubblewrap" | "codex-sandbox" | "none"

struct ConfineSpec {
  std::string bwrap;                  // the bwrap executable
  std::string real_home;              // hidden (replaced by an empty tmpfs)
  std::vector<std::string> writable;  // bound read-write (workspace dir, scratch dir)
  std::vector<std::string> read_only; // bound back read-only after hiding (agent install, tool dirs, the repo's .git)
  std::vector<std::string> hidden;    // further paths replaced by an empty tmpfs (/run/user, sockets' dirs)
  std::string cwd;
};

// `bwrap ... --` : prepend to the agent's argv.
std::vector<std::string> bwrap_prefix(const ConfineSpec& spec);

// The bwrap on PATH (or `configured` when given), "" when none.
std::string find_bwrap(const std::string& configured);
// Runs a one-command probe inside bwrap (writes to a bound dir, fails to write to a hidden
// one). False with *why when bwrap is missing or cannot create namespaces here.
bool bwrap_works(const std::string& bwrap, const std::string& scratch_dir, std::string* why);

// Whether Codex's own sandbox can run commands here. Codex 0.171 runs its sandboxed commands
// through /usr/bin/bwrap when that exists, passing --argv0, which Debian 12's bubblewrap (0.8)
// does not know: every command then exits 1. True when there is no /usr/bin/bwrap or it takes
// --argv0; probed once per process.
bool codex_sandbox_works();

// For read-only binds: the directory an agent executable's install lives in (the package
// root above node_modules/.bin, or the binary's folder), after resolving symlinks.
std::string install_root_of(const std::string& executable);

}  // namespace skillpipe::backend_agent
