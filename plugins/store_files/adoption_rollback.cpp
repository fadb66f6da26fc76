// Rollback: restore live files from the adoption backups, as a new version with the same
// pins and journal as an adoption.
#include <cstdlib>
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

}  // namespace

CommandResult Adoption::rollback(const RollbackRequest& req, bool json) {
  lock("skillpipe rollback");
  std::string notes = recover();
  if (!notes.empty()) notes += "\n";
  const std::vector<Txn> txns = versions();
  if (txns.empty())
    return command_error(2, notes + "Nothing to roll back: nothing was ever adopted for " + layout_.project + ".",
                         json);

  std::map<std::string, FileHistory> files;        // by live real path
  std::set<std::pair<int, std::string>> reverted;  // (adopt version, real path) already undone
  bool name_seen = req.name.empty();
  for (const auto& t : txns) {
    for (const auto& f : t.files) {
      auto& h = files[f.live_realpath];
      if (!h.first) h.first = &f;
      h.last = &f;
      h.last_version = t.version;
      if (f.reverts) reverted.insert({f.reverts, f.live_realpath});
      name_seen = name_seen || f.name == req.name;
    }
  }
  if (!name_seen)
    return command_error(2, "no adoption of " + layout_.project + " ever changed \"" + req.name + "\"", json);
  auto wanted = [&](const TxnFile& f) { return req.name.empty() || f.name == req.name; };

  std::vector<Change> changes;
  Txn txn;
  txn.version = static_cast<int>(txns.size()) + 1;
  txn.action = "rollback";
  txn.at = format_iso8601_s(now_ms());
  std::string headline;
  if (!req.to_version.empty()) {
    const auto to = parse_version(req.to_version);
    if (!to || *to > static_cast<int>(txns.size())) {
      return command_error(2,
                           "unknown version \"" + req.to_version + "\": versions are 0 (before any adoption) to " +
                               std::to_string(txns.size()) + " (see `skillpipe history`)",
                           json);
    }
    txn.to_version = *to;
    for (const auto& [rp, h] : files) {
      if (!wanted(*h.last)) continue;
      // The file as version `to` left it: its last change at or before `to`, else as it was
      // before skillpipe first touched it.
      const TxnFile* at = nullptr;
      for (const auto& t : txns) {
        if (t.version > *to) break;
        for (const auto& f : t.files) {
          if (f.live_realpath == rp) at = &f;
        }
      }
      const std::string desired = at ? at->sha_after : h.first->sha_before;
      if (desired == h.last->sha_after) continue;
      Change c;
      c.file = *h.last;
      c.file.sha_before = h.last->sha_after;
      c.file.sha_after = desired;
      c.file.night_id = at ? at->night_id : "";
      c.file.reverts = 0;
      c.file.parent_created = h.first->parent_created;
      changes.push_back(std::move(c));
    }
    headline = "Restored version " + std::to_string(*to) + (*to == 0 ? " (before any adoption)" : "");
  } else {
    // Undo the latest adoption that is not undone yet (stack order).
    const Txn* target = nullptr;
    for (auto it = txns.rbegin(); it != txns.rend() && !target; ++it) {
      if (it->action != "adopt") continue;
      for (const auto& f : it->files) {
        if (wanted(f) && !reverted.count({it->version, f.live_realpath})) target = &*it;
      }
    }
    if (!target)
      return command_error(2,
                           notes + "Nothing to roll back: every adoption" +
                               (req.name.empty() ? "" : " of \"" + req.name + "\"") + " is already rolled back.",
                           json);
    txn.night_id = target->night_id;
    for (const auto& f : target->files) {
      if (!wanted(f) || reverted.count({target->version, f.live_realpath})) continue;
      const FileHistory& h = files[f.live_realpath];
      Change c;
      c.file = f;
      c.file.sha_before = h.last->sha_after;
      c.file.sha_after = f.sha_before;
      c.file.reverts = target->version;
      changes.push_back(std::move(c));
    }
    headline = "Rolled back version " + std::to_string(target->version) + " (night " + target->night_id + ")";
  }
  if (changes.empty()) {
    return command_ok(notes + "Nothing to roll back: the live files already match version " + req.to_version + ".",
                      json);
  }

  // Pins: each file must still hold exactly what skillpipe last wrote there.
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
  if (!violations.empty()) {
    std::string msg = "Refusing to roll back; nothing was changed:";
    for (const auto& v : violations) msg += "\n  - " + v;
    msg += "\nMove your edits aside (or restore the file), then retry.";
    return command_error(2, msg, json);
  }
  return commit(txn, std::move(changes), json, notes + headline + " as version " + std::to_string(txn.version) + ":\n");
}

}  // namespace skillpipe::store_files
