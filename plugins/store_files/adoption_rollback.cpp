// Rollback: restore live files from the adoption backups, as a new version with the same
// pins and journal as an adoption.
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "adoption.hpp"
#include "skillpipe/kit/line_diff.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::store_files {
namespace {

struct FileHistory {
  const TxnFile* first = nullptr;  // the earliest change of this file
  const TxnFile* last = nullptr;   // the latest change: what the live file should hold now
  int last_version = 0;
};

std::optional<int> parse_version(const std::string& s) {
  std::string t = s;
  if (!t.empty() && (t[0] == 'v' || t[0] == 'V')) t.erase(0, 1);
  if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::atoi(t.c_str());
}

// Every file adoption ever changed, with its first and latest change.
struct Histories {
  std::map<std::string, FileHistory> files;        // by live real path
  std::set<std::pair<int, std::string>> reverted;  // (adopt version, real path) already undone
  bool name_seen = false;
};

Histories histories(const std::vector<Txn>& txns, const std::string& name) {
  Histories h;
  h.name_seen = name.empty();
  for (const auto& t : txns)
    for (const auto& f : t.files) {
      auto& fh = h.files[f.live_realpath];
      if (!fh.first) fh.first = &f;
      fh.last = &f;
      fh.last_version = t.version;
      if (f.reverts) h.reverted.insert({f.reverts, f.live_realpath});
      h.name_seen = h.name_seen || f.name == name;
    }
  return h;
}

// `--to N`: every wanted file as version N left it (its last change at or before N, else as it
// was before skillpipe first touched it).
std::vector<Adoption::Change> changes_to(const std::vector<Txn>& txns, const Histories& h, int to,
                                         const std::function<bool(const TxnFile&)>& wanted) {
  std::vector<Adoption::Change> changes;
  for (const auto& [rp, fh] : h.files) {
    if (!wanted(*fh.last)) continue;
    const TxnFile* at = nullptr;
    for (const auto& t : txns) {
      if (t.version > to) break;
      for (const auto& f : t.files)
        if (f.live_realpath == rp) at = &f;
    }
    const std::string desired = at ? at->sha_after : fh.first->sha_before;
    if (desired == fh.last->sha_after) continue;
    Adoption::Change c;
    c.file = *fh.last;
    c.file.sha_before = fh.last->sha_after;
    c.file.sha_after = desired;
    c.file.night_id = at ? at->night_id : "";
    c.file.reverts = 0;
    c.file.dirs_created = fh.first->dirs_created;
    changes.push_back(std::move(c));
  }
  return changes;
}

// Undo: the latest adoption not undone yet (stack order); nullptr when every one is.
const Txn* latest_undoable(const std::vector<Txn>& txns, const Histories& h,
                           const std::function<bool(const TxnFile&)>& wanted) {
  for (auto it = txns.rbegin(); it != txns.rend(); ++it) {
    if (it->action != "adopt") continue;
    for (const auto& f : it->files)
      if (wanted(f) && !h.reverted.count({it->version, f.live_realpath})) return &*it;
  }
  return nullptr;
}

std::vector<Adoption::Change> changes_undo(const Txn& target, const Histories& h,
                                           const std::function<bool(const TxnFile&)>& wanted) {
  std::vector<Adoption::Change> changes;
  for (const auto& f : target.files) {
    if (!wanted(f) || h.reverted.count({target.version, f.live_realpath})) continue;
    Adoption::Change c;
    c.file = f;
    c.file.sha_before = h.files.at(f.live_realpath).last->sha_after;
    c.file.sha_after = f.sha_before;
    c.file.reverts = target.version;
    changes.push_back(std::move(c));
  }
  return changes;
}

}  // namespace

std::vector<std::string> Adoption::pin_rollback(std::vector<Change>& changes) const {
  std::vector<std::string> violations;
  for (auto& c : changes) {
    const std::string rp = real_path(c.file.live_path);
    if (rp != c.file.live_realpath) {
      violations.push_back(c.file.live_path + ": now resolves to " + rp + ", not " + c.file.live_realpath +
                           " (a path component was replaced or became a symlink)");
      continue;
    }
    std::optional<std::string> live;
    try {
      live = read_bytes(rp);
    } catch (const std::exception& e) {
      violations.push_back(c.file.live_path + ": " + e.what());
      continue;
    }
    const std::string cur = live ? sha256_hex(*live) : "";
    if (cur != c.file.sha_before) {
      violations.push_back(c.file.live_path + ": was " + (live ? "edited" : "deleted") +
                           " after skillpipe last wrote it; rolling back would lose that change");
      continue;
    }
    c.before_bytes = live.value_or("");
    if (!c.file.sha_after.empty()) c.after_bytes = blob_bytes(c.file.sha_after);
    const LineDiff st = diff_lines(c.before_bytes, c.after_bytes);
    c.file.added = st.added;
    c.file.removed = st.removed;
  }
  return violations;
}

AdoptionResult Adoption::rollback(const RollbackRequest& req) {
  lock("skillpipe rollback");
  std::vector<std::string> notes;
  if (std::string n = recover(); !n.empty()) notes.push_back(n);
  const std::vector<Txn> txns = versions();
  if (txns.empty())
    return adoption_nothing("Nothing to roll back: nothing was ever adopted for " + layout_.project + ".", notes);
  const Histories h = histories(txns, req.name);
  if (!h.name_seen)
    return adoption_error(2, "no adoption of " + layout_.project + " ever changed \"" + req.name + "\"", notes);
  const std::function<bool(const TxnFile&)> wanted = [&](const TxnFile& f) {
    return req.name.empty() || f.name == req.name;
  };
  Txn txn;
  txn.version = static_cast<int>(txns.size()) + 1;
  txn.action = "rollback";
  txn.at = format_iso8601_s(now_ms());
  std::vector<Change> changes;
  if (!req.to_version.empty()) {
    const auto to = parse_version(req.to_version);
    if (!to || *to > static_cast<int>(txns.size()))
      return adoption_error(2,
                            "unknown version \"" + req.to_version + "\": versions are 0 (before any adoption) to " +
                                std::to_string(txns.size()) + " (see `skillpipe history`)",
                            notes);
    txn.to_version = *to;
    changes = changes_to(txns, h, *to, wanted);
  } else {
    const Txn* target = latest_undoable(txns, h, wanted);
    if (!target)
      return adoption_nothing("Nothing to roll back: every adoption" +
                                  (req.name.empty() ? "" : " of \"" + req.name + "\"") + " is already rolled back.",
                              notes);
    txn.night_id = target->night_id;
    changes = changes_undo(*target, h, wanted);
  }
  if (changes.empty())
    return adoption_nothing("Nothing to roll back: the live files already match version " + req.to_version + ".", notes);
  if (const auto violations = pin_rollback(changes); !violations.empty()) {
    std::string msg = "Refusing to roll back; nothing was changed:";
    for (const auto& v : violations) msg += "\n  - " + v;
    msg += "\nMove your edits aside (or restore the file), then retry.";
    return adoption_error(2, msg, notes);
  }
  AdoptionResult r = commit(txn, std::move(changes));
  r.notes = notes;
  return r;
}

}  // namespace skillpipe::store_files
