#include "store_views.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "host/report/parts.hpp"
#include "host/report/test_watch.hpp"
#include "json_out.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {


std::string score(const std::optional<double>& v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

std::string with_newline(std::string s) {
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

std::string notes_text(const std::vector<std::string>& notes) {
  std::string t;
  for (const auto& n : notes) t += n + "\n";
  return t;
}

// The last few published nights, newest first, like a log.
std::string recent_nights(const ProjectStatus& s, const std::vector<NightReport>& past) {
  std::map<std::string, const NightReport*> by_id;
  for (const auto& r : past) by_id[r.night_id] = &r;
  std::string t;
  int shown = 0;
  for (auto it = s.nights.rbegin(); it != s.nights.rend() && shown < 5; ++it) {
    if (!it->published) continue;
    if (shown++ == 0) t += "Recent nights:\n";
    const auto r = by_id.find(it->id);
    const NightReport empty;
    const NightReport& rep = r == by_id.end() ? empty : *r->second;
    t += "  " + it->id + "  " + (rep.gate_action ? to_string(*rep.gate_action) : "-");
    if (rep.baseline_val || rep.candidate_val) t += "  val " + score(rep.baseline_val) + " -> " + score(rep.candidate_val);
    t += "  " + std::to_string(rep.proposals.size()) + " proposal(s)\n";
  }
  return t;
}

std::string latest_night_text(const ProjectStatus& s) {
  const NightInfo& latest = *s.latest;
  std::string t;
  const NightReport* rep = s.latest_report ? &*s.latest_report : nullptr;
  t += "\nLast night: " + latest.id + (rep && !rep->finished_at.empty() ? " (finished " + rep->finished_at + ")" : "") +
       "\n";
  if (rep) {
    t += std::string("  Gate: ") + to_string(rep->gate_action);
    if (rep->baseline_val || rep->candidate_val)
      t += "; validation " + score(rep->baseline_val) + " -> " + score(rep->candidate_val);
    if (rep->baseline_test || rep->candidate_test)
      t += ", test " + score(rep->baseline_test) + " -> " + score(rep->candidate_test);
    t += "\n";
    if (!rep->gate_reason.empty()) t += "  Why:  " + rep->gate_reason + "\n";
    if (rep->llm_calls > 0) {
      char cost[32];
      std::snprintf(cost, sizeof cost, "$%.4f", rep->cost_usd);
      t += "  Spend: " + std::to_string(rep->llm_calls - rep->cached_calls) + " paid call(s), " +
           std::to_string(rep->cached_calls) + " from the cache, " + std::to_string(rep->tokens.total()) +
           " tokens, " + cost + "\n";
    }
  } else {
    t += "  It finished without staging anything (no report).\n";
  }
  if (!s.proposals.empty()) t += "  Proposals:\n";
  for (const auto& p : s.proposals) {
    t += "    " + p.name + " [" + to_string(p.target) + ", " + to_string(p.status) + "] " + p.live_path + "  +" + std::to_string(p.added) +
         " -" + std::to_string(p.removed) + "  " + to_string(p.state);
    if (p.state == ProposalState::kStale) t += " (the live file changed since the night read it; adopt will refuse)";
    if (p.state == ProposalState::kNotAdoptable) t += " (" + p.refusal + ")";
    t += "\n";
  }
  if (rep) t += "  Report: " + s.latest_report_md + "\n";
  return t;
}

// The next commands: adopt what is pending, undo what is adopted.
std::vector<std::string> next_commands(const ProjectStatus& s, const StoreSelector& sel,
                                       std::vector<std::string>& pending_accepted) {
  std::vector<std::string> next, pending_other;
  for (const auto& p : s.proposals)
    if (p.state == ProposalState::kPending)
      (p.status == ProposalStatus::kAccepted ? pending_accepted : pending_other).push_back(p.name);
  if (s.latest) {
    const std::string adopt = adopt_command(sel, s.latest->id);
    if (!pending_accepted.empty())
      next.push_back(adopt + "    # adopt " + std::to_string(pending_accepted.size()) + " accepted proposal(s)");
    for (const auto& name : pending_other)
      next.push_back(adopt + " --skill " + name + " --allow-unverified    # not validated by the gate");
  }
  // Offer rollback only while some adoption is not undone yet.
  bool undoable = false;
  for (const auto& v : s.versions)
    if (v.action == AdoptionAction::kAdopt)
      for (const auto& f : v.files) {
        bool reverted = false;
        for (const auto& x : s.versions)
          for (const auto& g : x.files) reverted = reverted || (g.reverts == v.version && g.live_path == f.live_path);
        undoable = undoable || !reverted;
      }
  if (undoable) next.push_back(rollback_command(sel) + "    # undo the latest adoption");
  return next;
}

std::string status_json(const ProjectStatus& s, const std::vector<std::string>& next,
                        const std::vector<std::string>& pending_accepted,
                        const std::optional<host::TestRegression>& worse_on_test = std::nullopt) {
  JsonOut j;
  j.begin_object().boolean("ok", true).str("project", s.project).str("store_dir", s.store_dir);
  j.begin_array("nights");
  for (const auto& n : s.nights)
    j.begin_object().str("id", n.id).boolean("published", n.published).boolean("abandoned", n.abandoned).end_object();
  j.end_array();
  if (!s.known) return j.null("latest_night").end_object().text();
  s.running.empty() ? j.null("running") : j.str("running", s.running);
  if (s.latest) {
    j.key("latest_night").begin_object().str("id", s.latest->id).str("dir", s.latest->dir);
    if (s.latest_report)
      j.str("report_md", s.latest_report_md).raw("report", to_json(*s.latest_report));
    else
      j.null("report");
    j.begin_array("proposals");
    for (const auto& p : s.proposals) {
      j.begin_object().str("name", p.name).str("target", to_string(p.target)).str("status", to_string(p.status));
      j.str("live_path", p.live_path);
      j.str("state", to_string(p.state)).num("added", p.added).num("removed", p.removed).str("diff", p.diff_path);
      j.str("refusal", p.refusal).end_object();
    }
    j.end_array().end_object();
  } else {
    j.null("latest_night");
  }
  if (s.unfinished) j.str("unfinished_night", *s.unfinished);
  j.num("versions", static_cast<std::int64_t>(s.versions.size()));
  j.strings("pending", pending_accepted).strings("next_commands", next);
  if (worse_on_test) {
    j.key("adopted_worse_on_test").begin_object().num("version", worse_on_test->version);
    j.str("adopted_night", worse_on_test->adopted_night).real("before", worse_on_test->before);
    j.str("measured_night", worse_on_test->measured_night).real("after", worse_on_test->after);
    j.str("message", worse_on_test->text()).end_object();
  }
  return j.strings("notes", s.notes).end_object().text();
}

void write_files_json(JsonOut& j, const std::vector<AdoptedFile>& files) {
  j.begin_array("files");
  for (const auto& f : files) {
    j.begin_object().str("name", f.name).str("target", to_string(f.target)).str("live_path", f.live_path);
    j.str("sha_before", f.sha_before).str("sha_after", f.sha_after).str("night_id", f.night_id);
    j.num("added", f.added).num("removed", f.removed).num("reverts", f.reverts).end_object();
  }
  j.end_array();
}

// "Adopted from night N as version V:" / "Rolled back version R (night N) as version V:" / "Restored ...".
std::string headline(const AdoptionVersion& v) {
  std::string h;
  if (v.action == AdoptionAction::kAdopt) {
    h = "Adopted from night " + v.night_id;
  } else if (v.to_version >= 0) {
    h = "Restored version " + std::to_string(v.to_version) + (v.to_version == 0 ? " (before any adoption)" : "");
  } else {
    const int reverts = v.files.empty() ? 0 : v.files.front().reverts;
    h = "Rolled back version " + std::to_string(reverts) + " (night " + v.night_id + ")";
  }
  return h + " as version " + std::to_string(v.version) + ":\n";
}

CommandResult committed(const AdoptionResult& r, const StoreSelector& sel, bool json) {
  const AdoptionVersion& v = *r.version;
  CommandResult out;
  out.text = notes_text(r.notes) + headline(v);
  for (const auto& f : v.files)
    out.text += "  " + f.name + " (" + to_string(f.target) + ") -> " + f.live_path + "  +" + std::to_string(f.added) + " -" +
                std::to_string(f.removed) + (f.sha_after.empty() ? " (removed)" : "") + "\n";
  out.text += "The previous files are backed up. Undo with:\n  " + rollback_command(sel) + "\n";
  for (const auto& [name, why] : r.skipped) out.text += "  skipped " + name + ": " + why + "\n";
  if (json) {
    JsonOut j;
    j.begin_object().boolean("ok", true).num("version", v.version).str("action", to_string(v.action));
    j.str("night_id", v.night_id);
    write_files_json(j, v.files);
    out.json = j.str("rollback_command", rollback_command(sel)).end_object().text();
  }
  return out;
}

}  // namespace

std::string adopt_command(const StoreSelector& s, const std::string& night_id) {
  return "skillpipe adopt --project " + shell_quote(s.project) + s.suffix +
         (night_id.empty() ? "" : " --night " + shell_quote(night_id));
}

std::string rollback_command(const StoreSelector& s) {
  return "skillpipe rollback --project " + shell_quote(s.project) + s.suffix;
}

CommandResult command_error(int exit_code, const std::string& message, bool json) {
  CommandResult r;
  r.exit_code = exit_code;
  r.text = with_newline(message);
  if (json) {
    JsonOut j;
    r.json = j.begin_object().boolean("ok", false).num("exit_code", exit_code).str("error", message).end_object().text();
  }
  return r;
}

CommandResult render_status(const ProjectStatus& s, const std::vector<NightReport>& past, const StoreSelector& sel,
                            bool json) {
  CommandResult r;
  if (!s.known) {
    r.text = "No skillpipe nights yet for " + s.project + " (store " + s.store_dir +
             ").\nRun a night from the project directory, e.g. `skillpipe run nightly`.\n";
    if (json) r.json = status_json(s, {}, {});
    return r;
  }
  int published = 0;
  for (const auto& n : s.nights) published += n.published;
  std::string t = "Project: " + s.project + "\nStore:   " + s.store_dir + "\n";
  t += "Nights:  " + std::to_string(published) + " finished" + (s.unfinished ? ", 1 unfinished" : "") + "\n";
  if (!s.running.empty()) t += "Running: " + s.running + "\n";
  t += recent_nights(s, past);
  if (s.latest) t += latest_night_text(s);
  if (s.unfinished)
    t += "\nUnfinished night " + *s.unfinished +
         (s.running.empty() ? ": the next run resumes it where it stopped (add --restart to `skillpipe run` to "
                              "abandon it and start a new night instead).\n"
                            : ": running now.\n");
  if (!s.versions.empty()) {
    const AdoptionVersion& v = s.versions.back();
    t += "\nLatest adoption change: version " + std::to_string(v.version) + ", " + to_string(v.action) + " at " + v.at +
         (v.night_id.empty() ? "" : " (night " + v.night_id + ")") + ":";
    for (const auto& f : v.files) t += " " + f.name;
    t += "\n";
  }
  // The adopted change in force scores worse on the held-out test split: say so, with the undo.
  const auto worse_on_test = host::adopted_change_worse_on_test(s.versions, past);
  if (worse_on_test) t += "\nWarning: " + worse_on_test->text() + ". Roll it back with:\n  " + rollback_command(sel) + "\n";
  std::vector<std::string> pending;
  const std::vector<std::string> next = next_commands(s, sel, pending);
  for (const auto& n : s.notes) t += "\nNote: " + n + "\n";
  if (!next.empty()) {
    t += "\nNext:\n";
    for (const auto& n : next) t += "  " + n + "\n";
  } else if (s.latest) {
    t += "\nNothing is waiting to be adopted.\n";
  }
  if (s.latest && !s.latest_report_md.empty())
    if (const auto md = read_file(s.latest_report_md)) t += "\n----- report.md -----\n" + *md;
  r.text = t;
  if (json) r.json = status_json(s, next, pending, worse_on_test);
  return r;
}

CommandResult render_history(const AdoptionHistory& h, const StoreSelector& sel, bool json) {
  std::string t;
  for (const auto& n : h.notes) t += "Note: " + n + "\n";
  JsonOut j;
  j.begin_object().boolean("ok", true).str("project", sel.project).strings("notes", h.notes).begin_array("versions");
  t += h.versions.empty() ? "No adoptions yet for " + sel.project + ".\n"
                          : "Adoption history of " + sel.project + " (newest first):\n";
  for (auto it = h.versions.rbegin(); it != h.versions.rend(); ++it) {
    const AdoptionVersion& v = *it;
    t += "  v" + std::to_string(v.version) + "  " + v.at + "  " + to_string(v.action);
    if (v.action == AdoptionAction::kAdopt) t += " night " + v.night_id;
    if (v.to_version >= 0)
      t += " to v" + std::to_string(v.to_version);
    else if (v.action == AdoptionAction::kRollback && !v.files.empty() && v.files[0].reverts)
      t += " of v" + std::to_string(v.files[0].reverts);
    if (v.undone_by) t += "  (undone by v" + std::to_string(v.undone_by) + ")";
    t += "\n";
    for (const auto& f : v.files)
      t += "        " + f.name + " (" + to_string(f.target) + ") " + f.live_path + "  +" + std::to_string(f.added) + " -" +
           std::to_string(f.removed) + (f.sha_after.empty() ? " (removed)" : f.sha_before.empty() ? " (created)" : "") +
           "\n";
    j.begin_object().num("version", v.version).str("action", to_string(v.action)).str("at", v.at);
    j.str("night_id", v.night_id);
    j.num("to_version", v.to_version).num("undone_by", v.undone_by);
    j.begin_array("files");
    for (const auto& f : v.files) {
      j.begin_object().str("name", f.name).str("target", to_string(f.target)).str("live_path", f.live_path);
      j.str("sha_before", f.sha_before).str("sha_after", f.sha_after).num("added", f.added).num("removed", f.removed);
      j.num("reverts", f.reverts).end_object();
    }
    j.end_array().end_object();
  }
  j.end_array();
  if (!h.versions.empty()) {
    t += "  v0  the files as they were before skillpipe changed them\n";
    t += "Current: v" + std::to_string(h.versions.size()) + ". Restore any version with:\n  " + rollback_command(sel) +
         " --to N\n";
  }
  j.num("current", static_cast<std::int64_t>(h.versions.size())).end_object();
  CommandResult r;
  r.text = t;
  if (json) r.json = j.text();
  return r;
}

CommandResult render_adoption(const AdoptionResult& r, const StoreSelector& sel, bool json) {
  if (r.exit_code != 0) return command_error(r.exit_code, notes_text(r.notes) + r.message, json);
  if (r.version) return committed(r, sel, json);
  CommandResult out;
  out.text = notes_text(r.notes) + with_newline(r.message);
  for (const auto& [name, why] : r.skipped) out.text += "  skipped " + name + ": " + why + "\n";
  if (!json) return out;
  JsonOut j;
  j.begin_object().boolean("ok", true).null("version");
  if (r.night_id.empty()) {
    j.str("message", notes_text(r.notes) + r.message);
  } else {
    j.str("night_id", r.night_id).begin_array("skipped");
    for (const auto& [name, why] : r.skipped) j.begin_object().str("name", name).str("reason", why).end_object();
    j.end_array();
  }
  out.json = j.end_object().text();
  return out;
}

}  // namespace skillpipe::app
