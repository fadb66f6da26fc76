#include "adoption.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::store_files {
namespace {

constexpr int kLiveDirMode = 0777;  // new directories beside the agent's files follow the umask

std::string parent_of(const std::string& p) { return fs::path(p).parent_path().string(); }
std::string short_sha(const std::string& s) { return s.empty() ? "absent" : s.substr(0, 12); }

// How many directories above `file` do not exist yet (make_dirs will create them).
int missing_dirs_above(const std::string& file) {
  int n = 0;
  std::error_code ec;
  for (fs::path d = fs::path(file).parent_path(); !d.empty() && d != d.root_path() && !fs::exists(d, ec);
       d = d.parent_path())
    ++n;
  return n;
}

// Removes the directories an adoption created above `file` (innermost first), stopping at
// the first that is not empty: a file someone else put there keeps its folder.
void remove_created_dirs(const std::string& file, int created) {
  std::string dir = parent_of(file);
  for (int i = 0; i < created && ::rmdir(dir.c_str()) == 0; ++i) {
    fsync_dir(parent_of(dir));
    dir = parent_of(dir);
  }
}

// The live file changed between the pin check and the replace.
class Refused : public Error {
 public:
  using Error::Error;
};

std::string list_names(const std::vector<ManifestEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : ", ") + e.name;
  return out.empty() ? "none" : out;
}

}  // namespace

AdoptionResult adoption_error(int exit_code, std::string message, std::vector<std::string> notes) {
  AdoptionResult r;
  r.exit_code = exit_code;
  r.message = std::move(message);
  r.notes = std::move(notes);
  return r;
}

AdoptionResult adoption_nothing(std::string message, std::vector<std::string> notes) {
  return adoption_error(0, std::move(message), std::move(notes));
}

// The store's records are written by this code only, so an unknown value is damage.
Target target_of(const std::string& text, const std::string& where) {
  const auto t = parse_target(text);
  if (!t) throw Error(where + ": unknown target \"" + text + "\"");
  return *t;
}

AdoptionVersion to_version(const Txn& t) {
  AdoptionVersion v;
  v.version = t.version;
  v.action = t.action == "rollback" ? AdoptionAction::kRollback : AdoptionAction::kAdopt;
  v.night_id = t.night_id;
  v.at = t.at;
  v.to_version = t.to_version;
  for (const auto& f : t.files)
    v.files.push_back({f.name, target_of(f.target, "adoption version " + std::to_string(t.version)), f.live_path,
                       f.sha_before, f.sha_after, f.night_id, f.added, f.removed, f.reverts});
  return v;
}

Adoption::Adoption(const Layout& layout, FaultInjector& fi) : layout_(layout), fi_(fi) {}

void Adoption::lock(const std::string& purpose) {
  make_dirs(layout_.adoption_dir());
  store_lock_ = FileLock::acquire(layout_.store_adopt_lock(), purpose + " for project " + layout_.project,
                                  "adoption in the store " + layout_.root + " (projects share user-level skill roots)");
  lock_ = FileLock::acquire(layout_.adopt_lock(), purpose, "adoption for project " + layout_.project);
}

bool Adoption::try_lock(const std::string& purpose) {
  try {
    lock(purpose);
    return true;
  } catch (const LockBusy&) {
    return false;
  }
}

std::vector<Txn> Adoption::versions() const {
  std::vector<Txn> out;
  int line = 0;
  for (const auto& text : read_jsonl_lines(layout_.receipts())) {
    ++line;
    out.push_back(parse_txn(text, layout_.receipts() + ":" + std::to_string(line)));
    if (out.back().version != static_cast<int>(out.size())) {
      throw Error(layout_.receipts() + ":" + std::to_string(line) + ": expected version " + std::to_string(out.size()) +
                  ", found " + std::to_string(out.back().version));
    }
  }
  return out;
}

std::vector<AdoptionVersion> Adoption::history() const {
  std::vector<AdoptionVersion> out;
  for (const auto& t : versions()) out.push_back(to_version(t));
  for (const auto& v : out)
    for (const auto& f : v.files)
      if (f.reverts > 0 && f.reverts <= static_cast<int>(out.size())) out[f.reverts - 1].undone_by = v.version;
  return out;
}

bool Adoption::journal_pending() const { return path_exists(layout_.journal()); }

std::string Adoption::current_sha(const std::string& path) const {
  const auto bytes = read_bytes(path);
  return bytes ? sha256_hex(*bytes) : "";
}

std::string Adoption::blob_bytes(const std::string& sha) const {
  const auto bytes = read_bytes(layout_.blob(sha));
  if (!bytes) throw Error("backup " + layout_.blob(sha) + " is missing");
  if (sha256_hex(*bytes) != sha) throw Error("backup " + layout_.blob(sha) + " is corrupt (its sha256 differs)");
  return *bytes;
}

void Adoption::put_blob(const std::string& bytes) {
  const std::string sha = sha256_hex(bytes);
  const std::string path = layout_.blob(sha);
  if (const auto have = read_bytes(path); have && *have == bytes) return;  // blobs are immutable
  make_dirs(parent_of(path));
  write_atomic(fi_, path, bytes);
}

void Adoption::apply_side(const TxnFile& f, const std::string& sha, bool remove_created_parent) {
  const std::string& path = f.live_realpath;
  if (sha.empty()) {
    remove_durable(fi_, path);
    if (remove_created_parent) remove_created_dirs(path, f.dirs_created);
    return;
  }
  const std::string bytes = blob_bytes(sha);
  make_dirs(parent_of(path), kLiveDirMode);
  write_atomic(fi_, path, bytes, kPreserveMode);
}

std::string Adoption::recover() {
  // Every adoption command comes here first (under the adoption lock or with nobody
  // adopting): temp files of a writer killed between write and rename (journal, blobs,
  // receipts) are garbage; the journal alone says what the interrupted adoption did.
  remove_stale_temps_below(layout_.adoption_dir());
  const auto text = read_bytes(layout_.journal());
  if (!text) return {};
  const Txn j = parse_txn(*text, layout_.journal());
  bool committed = false;
  for (const auto& v : versions()) committed = committed || v.version == j.version;
  std::vector<std::string> conflicts;
  for (const auto& f : j.files) {
    const std::string& want = committed ? f.sha_after : f.sha_before;
    const std::string& other = committed ? f.sha_before : f.sha_after;
    remove_stale_temps(parent_of(f.live_realpath));
    const std::string cur = current_sha(f.live_realpath);
    if (cur == want) {
      // An adopt killed before its rename created the directories but not the file.
      if (want.empty()) remove_created_dirs(f.live_realpath, f.dirs_created);
      continue;
    }
    if (cur == other) {
      apply_side(f, want, true);
    } else {
      conflicts.push_back(f.live_path + " (now " + short_sha(cur) + ", expected " + short_sha(f.sha_before) + " or " +
                          short_sha(f.sha_after) + ")");
    }
  }
  if (!conflicts.empty()) {
    std::string msg = "An interrupted " + j.action + " (version " + std::to_string(j.version) +
                      ") cannot be finished because these files were edited after it stopped:";
    for (const auto& c : conflicts) msg += "\n  - " + c;
    msg += "\nBoth versions of each file are kept under " + layout_.adoption_dir() +
           "/blobs (named by sha256). Put each file back as you want it, then delete " + layout_.journal() + ".";
    throw Error(msg);
  }
  remove_durable(fi_, layout_.journal());
  return "recovered an interrupted " + j.action + " (version " + std::to_string(j.version) +
         "): " + (committed ? "completed it" : "undid it, the live files are as before");
}

// Three flushes, each of everything written since the last: backups and journal, live files,
// receipt. The journal's removal is left to the kernel: resurrected by a power cut, it names a
// committed version, and recovery finds the live files already right.
AdoptionResult Adoption::commit(Txn txn, std::vector<Change> changes) {
  for (const auto& c : changes) txn.files.push_back(c.file);
  {
    // Backups and journal together: until a live file is replaced, recovery needs neither.
    DeferSync batch;
    for (const auto& c : changes) {
      if (!c.file.sha_before.empty()) put_blob(c.before_bytes);
      if (!c.file.sha_after.empty()) put_blob(c.after_bytes);
    }
    write_atomic(fi_, layout_.journal(), to_json(txn) + "\n");
  }
  sync_pending();
  std::size_t applied = 0;
  try {
    DeferSync batch;  // every live file flushed before the receipt commits them
    for (const auto& c : changes) {
      // Re-check right before replacing: an editor may have saved since the pin check.
      if (current_sha(c.file.live_realpath) != c.file.sha_before) {
        throw Refused(c.file.live_path + " changed while skillpipe was replacing it; nothing was changed");
      }
      apply_side(c.file, c.file.sha_after, true);
      ++applied;
    }
  } catch (const std::exception& e) {
    // Undo what was replaced; if that fails too, the journal stays for the next command.
    for (std::size_t i = 0; i < applied; ++i) apply_side(changes[i].file, changes[i].file.sha_before, true);
    remove_durable(fi_, layout_.journal());
    return adoption_error(dynamic_cast<const Refused*>(&e) ? 2 : 1, e.what());
  }
  sync_pending();
  append_durable(fi_, layout_.receipts(), to_json(txn) + "\n");  // the commit
  {
    DeferSync batch;
    remove_durable(fi_, layout_.journal());
  }
  AdoptionResult r;
  r.night_id = txn.night_id;
  r.version = to_version(txn);
  return r;
}

AdoptionResult Adoption::adopt(const AdoptRequest& req) {
  lock("skillpipe adopt");
  std::vector<std::string> notes;
  if (std::string n = recover(); !n.empty()) notes.push_back(n);
  const auto nights = list_nights(layout_);
  const NightEntry* night = nullptr;
  Manifest m;
  auto load = [&](const NightEntry& n) {
    const std::string path = n.dir + "/manifest.json";
    m = parse_manifest(*read_bytes(path), path);
  };
  if (!req.night_id.empty()) {
    const bool numeric = req.night_id.find_first_not_of("0123456789") == std::string::npos && req.night_id.size() < 10;
    for (const auto& n : nights) {
      if (n.id == req.night_id || (numeric && n.number == std::stol(req.night_id))) night = &n;
    }
    if (!night)
      return adoption_error(
          2, "project " + layout_.project + " has no night \"" + req.night_id + "\" (see `skillpipe status`)", notes);
    if (!night->published)
      return adoption_error(2, "night " + night->id + " is not finished; nothing of it can be adopted yet", notes);
    load(*night);
  } else {
    for (auto it = nights.rbegin(); it != nights.rend() && !night; ++it) {
      if (!it->published) continue;
      load(*it);
      if (!m.proposals.empty()) night = &*it;
    }
    if (!night) return adoption_nothing("Nothing to adopt: no night of " + layout_.project + " staged a proposal.", notes);
  }
  std::vector<Change> changes;
  AdoptionResult planned = plan_adoption(req, *night, m, changes);
  planned.notes.insert(planned.notes.begin(), notes.begin(), notes.end());
  if (planned.exit_code != 0 || changes.empty()) return planned;
  Txn txn;
  txn.version = static_cast<int>(versions().size()) + 1;
  txn.action = "adopt";
  txn.night_id = night->id;
  txn.at = format_iso8601_s(now_ms());
  AdoptionResult r = commit(txn, std::move(changes));
  r.notes = planned.notes;
  if (r.exit_code == 0) r.skipped = planned.skipped;
  return r;
}

// Which proposals: named ones, --all, or every accepted one; each checked against its pins.
AdoptionResult Adoption::plan_adoption(const AdoptRequest& req, const NightEntry& night, const Manifest& m,
                                       std::vector<Change>& changes) {
  AdoptionResult r;
  r.night_id = night.id;
  std::vector<const ManifestEntry*> chosen;
  std::set<const ManifestEntry*> explicit_names;
  for (const auto& name : req.names) {
    bool found = false;
    for (const auto& e : m.proposals) {
      if (e.name == name) chosen.push_back(&e), explicit_names.insert(&e), found = true;
    }
    if (!found)
      return adoption_error(2, "night " + night.id + " has no proposal named \"" + name + "\" (it has: " +
                                   list_names(m.proposals) + ")");
  }
  if (req.names.empty())
    for (const auto& e : m.proposals) chosen.push_back(&e);
  std::vector<std::string> violations;
  for (const ManifestEntry* e : chosen) {
    std::string why;
    if (!e->refusal.empty())
      why = "not adoptable: " + e->refusal;
    else if (e->status == "quarantined")
      why = "quarantined by the safety scan; it is never adopted";
    else if (e->status != "accepted" && !req.allow_unverified && !req.all)
      why = e->status + ", not accepted by the gate (adopt it with --skill " + e->name + " --allow-unverified)";
    if (!why.empty()) {
      if (explicit_names.count(e))
        return adoption_error(2, "cannot adopt \"" + e->name + "\" from night " + night.id + ": " + why);
      r.skipped.emplace_back(e->name, why);
      continue;
    }
    if (auto c = change_for(*e, night, violations, r.skipped)) changes.push_back(std::move(*c));
  }
  if (!violations.empty()) {
    std::string msg = "Refusing to adopt from night " + night.id + "; nothing was changed:";
    for (const auto& v : violations) msg += "\n  - " + v;
    msg += "\nA live file moved on since the night read it. Run the night again to propose against the current text.";
    return adoption_error(2, msg);
  }
  if (changes.empty()) r.message = "Nothing to adopt from night " + night.id + ".";
  return r;
}

// The change adopting `e` makes, or nullopt (a pin violation, or already in place).
std::optional<Adoption::Change> Adoption::change_for(const ManifestEntry& e, const NightEntry& night,
                                                     std::vector<std::string>& violations,
                                                     std::vector<std::pair<std::string, std::string>>& skipped) {
  // The staged bytes must be what the night published.
  const std::string staged_path = night.dir + "/" + e.proposed_file;
  const auto staged = read_bytes(staged_path);
  if (!staged || sha256_hex(*staged) != e.sha256 || is_symlink(staged_path)) {
    violations.push_back(staged_path + ": the staged proposal was changed or removed after the night published it");
    return std::nullopt;
  }
  const std::string rp = real_path(e.live_path);
  if (rp != e.live_realpath) {
    violations.push_back(e.live_path + ": now resolves to " + rp + ", but the night read " + e.live_realpath +
                         " (a path component was replaced or became a symlink)");
    return std::nullopt;
  }
  if (is_symlink(e.live_path) && fs::path(e.live_path).lexically_normal().string() == e.live_realpath) {
    violations.push_back(e.live_path + ": became a symlink after the night read it");
    return std::nullopt;
  }
  std::optional<std::string> live;
  try {
    live = read_bytes(rp);
  } catch (const std::exception& ex) {
    violations.push_back(e.live_path + ": " + ex.what());
    return std::nullopt;
  }
  const std::string cur = live ? sha256_hex(*live) : "";
  if (live && cur == e.sha256) {
    skipped.emplace_back(e.name, "already in place at " + e.live_path);
    return std::nullopt;
  }
  if (cur != e.live_sha256) {
    violations.push_back(e.live_path + ": " +
                         (!live            ? std::string("was deleted")
                          : e.live_existed ? "was edited"
                                           : "was created by someone else") +
                         " after night " + night.id + " read it (sha256 now " + short_sha(cur) + ", then " +
                         short_sha(e.live_sha256) + ")");
    return std::nullopt;
  }
  Change c;
  c.file = {e.name, e.target, e.live_path, rp, cur, e.sha256, night.id, e.added, e.removed, 0, missing_dirs_above(rp)};
  c.before_bytes = live.value_or("");
  c.after_bytes = *staged;
  return c;
}

}  // namespace skillpipe::store_files
