#include "status_view.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "adoption.hpp"
#include "file_lock.hpp"
#include "json_out.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "staging.hpp"
#include "store_records.hpp"

namespace skillpipe::store_files {
namespace {

std::string score(const std::optional<double>& v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

// Where a staged proposal stands against the live file right now.
std::string proposal_state(const ManifestEntry& e) {
  if (!e.refusal.empty()) return "not adoptable";
  std::optional<std::string> live;
  try {
    live = read_bytes(e.live_realpath);
  } catch (const std::exception&) {
    return "stale";
  }
  const std::string cur = live ? sha256_hex(*live) : "";
  if (live && cur == e.sha256) return "adopted";
  if (cur == e.live_sha256) return "pending";
  return "stale";
}

// Recovers an interrupted adoption when nobody else is adopting; returns a note or "".
std::string recover_if_free(Adoption& a) {
  if (!a.try_lock("skillpipe status")) {
    return a.journal_pending() ? "An adopt or rollback is running right now." : "";
  }
  std::string note = a.recover();
  a.unlock();
  return note;
}

}  // namespace

CommandResult render_status(const Layout& layout, FaultInjector& fi, const std::string& store_arg, bool json) {
  CommandResult r;
  const ReportCommands cmds = make_commands(layout.project, "", store_arg);
  if (!path_exists(layout.project_dir())) {
    r.text = "No skillpipe nights yet for " + layout.project + " (store " + layout.root +
             ").\nRun a night from the project directory, e.g. `skillpipe run nightly`.\n";
    if (json) {
      JsonOut j;
      j.begin_object().boolean("ok", true).str("project", layout.project).str("store_dir", layout.root);
      j.begin_array("nights").end_array().null("latest_night").end_object();
      r.json = j.text();
    }
    return r;
  }
  Adoption adoption(layout, fi, store_arg);
  std::vector<std::string> notes;
  if (auto n = recover_if_free(adoption); !n.empty()) notes.push_back(n);
  const auto nights = list_nights(layout);
  const auto versions = adoption.versions();
  const std::string running = FileLock::holder(layout.run_lock());

  const NightEntry* latest = nullptr;
  const NightEntry* unfinished = nullptr;
  int published = 0;
  for (const auto& n : nights) {
    if (n.published)
      ++published, latest = &n;
    else if (!n.abandoned)
      unfinished = &n;
  }

  std::string t = "Project: " + layout.project + "\nStore:   " + layout.project_dir() + "\n";
  t += "Nights:  " + std::to_string(published) + " finished" + (unfinished ? ", 1 unfinished" : "") + "\n";
  if (!running.empty()) t += "Running: " + running + "\n";
  // The last few finished nights, newest first, like a log.
  int shown = 0;
  for (auto it = nights.rbegin(); it != nights.rend() && shown < 5; ++it) {
    if (!it->published) continue;
    if (shown++ == 0) t += "Recent nights:\n";
    NightReport r;
    std::string gate = "-";
    if (const auto text = read_bytes(it->dir + "/report.json")) {
      try {
        from_json(*text, r);
        if (r.gate_action) gate = to_string(*r.gate_action);
      } catch (const std::exception&) {
        gate = "(unreadable report.json)";
      }
    }
    t += "  " + it->id + "  " + gate;
    if (r.baseline_val || r.candidate_val) t += "  val " + score(r.baseline_val) + " -> " + score(r.candidate_val);
    t += "  " + std::to_string(r.proposals.size()) + " proposal(s)\n";
  }

  JsonOut j;
  j.begin_object().boolean("ok", true).str("project", layout.project).str("store_dir", layout.project_dir());
  j.begin_array("nights");
  for (const auto& n : nights) {
    j.begin_object().str("id", n.id).boolean("published", n.published).boolean("abandoned", n.abandoned).end_object();
  }
  j.end_array();
  if (running.empty())
    j.null("running");
  else
    j.str("running", running);

  std::vector<std::string> next;
  std::vector<std::string> pending_accepted, pending_other;
  if (latest) {
    const std::string mpath = latest->dir + "/manifest.json";
    const Manifest m = parse_manifest(*read_bytes(mpath), mpath);
    const auto report_text = read_bytes(latest->dir + "/report.json");
    NightReport report;
    if (report_text) from_json(*report_text, report);
    t += "\nLast night: " + latest->id + (report.finished_at.empty() ? "" : " (finished " + report.finished_at + ")") +
         "\n";
    j.key("latest_night").begin_object().str("id", latest->id).str("dir", latest->dir);
    if (report_text) {
      t += std::string("  Gate: ") + to_string(report.gate_action);
      if (report.baseline_val || report.candidate_val) {
        t += "; validation " + score(report.baseline_val) + " -> " + score(report.candidate_val);
      }
      if (report.baseline_test || report.candidate_test) {
        t += ", test " + score(report.baseline_test) + " -> " + score(report.candidate_test);
      }
      t += "\n";
      if (!report.gate_reason.empty()) t += "  Why:  " + report.gate_reason + "\n";
      j.str("report_md", latest->dir + "/report.md").raw("report", *report_text);
    } else {
      t += "  It finished without staging anything (no report).\n";
      j.null("report");
    }
    j.begin_array("proposals");
    if (!m.proposals.empty()) t += "  Proposals:\n";
    for (const auto& e : m.proposals) {
      const std::string state = proposal_state(e);
      t += "    " + e.name + " [" + e.target + ", " + e.status + "] " + e.live_path + "  +" + std::to_string(e.added) +
           " -" + std::to_string(e.removed) + "  " + state;
      if (state == "stale") t += " (the live file changed since the night read it; adopt will refuse)";
      if (state == "not adoptable") t += " (" + e.refusal + ")";
      t += "\n";
      if (state == "pending") (e.status == "accepted" ? pending_accepted : pending_other).push_back(e.name);
      j.begin_object()
          .str("name", e.name)
          .str("target", e.target)
          .str("status", e.status)
          .str("live_path", e.live_path);
      j.str("state", state)
          .num("added", e.added)
          .num("removed", e.removed)
          .str("diff", latest->dir + "/" + e.diff_file);
      j.str("refusal", e.refusal).end_object();
    }
    j.end_array().end_object();
    if (report_text) t += "  Report: " + latest->dir + "/report.md\n";
    const ReportCommands night_cmds = make_commands(layout.project, latest->id, store_arg);
    if (!pending_accepted.empty()) {
      next.push_back(night_cmds.adopt + "    # adopt " + std::to_string(pending_accepted.size()) +
                     " accepted proposal(s)");
    }
    for (const auto& name : pending_other) {
      next.push_back(night_cmds.adopt + " --skill " + name + " --allow-unverified    # not validated by the gate");
    }
  } else {
    j.null("latest_night");
  }
  if (unfinished) {
    t += "\nUnfinished night " + unfinished->id +
         (running.empty() ? ": the next run resumes it where it stopped (add --restart to `skillpipe run` to "
                            "abandon it and start a new night instead).\n"
                          : ": running now.\n");
    j.str("unfinished_night", unfinished->id);
  }

  if (!versions.empty()) {
    const Txn& v = versions.back();
    t += "\nLatest adoption change: version " + std::to_string(v.version) + ", " + v.action + " at " + v.at +
         (v.night_id.empty() ? "" : " (night " + v.night_id + ")") + ":";
    for (const auto& f : v.files) t += " " + f.name;
    t += "\n";
    // Offer rollback only while some adoption is not undone yet.
    std::set<std::pair<int, std::string>> reverted;
    for (const auto& x : versions) {
      for (const auto& f : x.files) {
        if (f.reverts) reverted.insert({f.reverts, f.live_realpath});
      }
    }
    bool undoable = false;
    for (const auto& x : versions) {
      for (const auto& f : x.files)
        undoable = undoable || (x.action == "adopt" && !reverted.count({x.version, f.live_realpath}));
    }
    if (undoable) next.push_back(cmds.rollback + "    # undo the latest adoption");
  }
  j.num("versions", static_cast<std::int64_t>(versions.size()));
  j.strings("pending", pending_accepted).strings("next_commands", next);
  for (const auto& n : notes) t += "\nNote: " + n + "\n";
  j.strings("notes", notes).end_object();

  if (!next.empty()) {
    t += "\nNext:\n";
    for (const auto& n : next) t += "  " + n + "\n";
  } else if (latest) {
    t += "\nNothing is waiting to be adopted.\n";
  }
  if (latest) {
    if (const auto md = read_bytes(latest->dir + "/report.md")) t += "\n----- report.md -----\n" + *md;
  }
  r.text = t;
  if (json) r.json = j.text();
  return r;
}

CommandResult render_history(const Layout& layout, FaultInjector& fi, const std::string& store_arg, bool json) {
  CommandResult r;
  Adoption adoption(layout, fi, store_arg);
  std::vector<std::string> notes;
  if (path_exists(layout.adoption_dir())) {
    if (auto n = recover_if_free(adoption); !n.empty()) notes.push_back(n);
  }
  const auto versions = adoption.versions();
  std::map<int, int> undone_by;
  for (const auto& v : versions) {
    for (const auto& f : v.files) {
      if (f.reverts) undone_by[f.reverts] = v.version;
    }
  }
  std::string t;
  for (const auto& n : notes) t += "Note: " + n + "\n";
  JsonOut j;
  j.begin_object().boolean("ok", true).str("project", layout.project).strings("notes", notes).begin_array("versions");
  if (versions.empty()) {
    t += "No adoptions yet for " + layout.project + ".\n";
  } else {
    t += "Adoption history of " + layout.project + " (newest first):\n";
  }
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const Txn& v = *it;
    t += "  v" + std::to_string(v.version) + "  " + v.at + "  " + v.action;
    if (v.action == "adopt") t += " night " + v.night_id;
    if (v.to_version >= 0)
      t += " to v" + std::to_string(v.to_version);
    else if (v.action == "rollback" && !v.files.empty() && v.files[0].reverts)
      t += " of v" + std::to_string(v.files[0].reverts);
    if (undone_by.count(v.version)) t += "  (undone by v" + std::to_string(undone_by[v.version]) + ")";
    t += "\n";
    for (const auto& f : v.files) {
      t += "        " + f.name + " (" + f.target + ") " + f.live_path + "  +" + std::to_string(f.added) + " -" +
           std::to_string(f.removed) +
           (f.sha_after.empty()    ? " (removed)"
            : f.sha_before.empty() ? " (created)"
                                   : "") +
           "\n";
    }
    j.begin_object().num("version", v.version).str("action", v.action).str("at", v.at).str("night_id", v.night_id);
    j.num("to_version", v.to_version).num("undone_by", undone_by.count(v.version) ? undone_by[v.version] : 0);
    j.begin_array("files");
    for (const auto& f : v.files) {
      j.begin_object().str("name", f.name).str("target", f.target).str("live_path", f.live_path);
      j.str("sha_before", f.sha_before).str("sha_after", f.sha_after).num("added", f.added).num("removed", f.removed);
      j.num("reverts", f.reverts).end_object();
    }
    j.end_array().end_object();
  }
  j.end_array();
  if (!versions.empty()) {
    t += "  v0  the files as they were before skillpipe changed them\n";
    t += "Current: v" + std::to_string(versions.size()) + ". Restore any version with:\n  " +
         make_commands(layout.project, "", store_arg).rollback + " --to N\n";
  }
  j.num("current", static_cast<std::int64_t>(versions.size())).end_object();
  r.text = t;
  if (json) r.json = j.text();
  return r;
}

}  // namespace skillpipe::store_files
