// The "Agent replays" section of report.html: for agentic nights (backend_agent), how often
// each skill triggered, and per replay what the agent did - the skills it was shown and the
// ones it invoked, every command with its exit code, the files it changed and the diff, the
// task's checks, how the run ended and its verdict.
#include <map>
#include <set>
#include <tuple>

#include "host/report/parts.hpp"
#include "host/report/sections.hpp"

namespace skillpipe::host::report {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Per skill and variant: replays that listed it and replays that invoked it. Skills no replay
// invoked (the CLIs bundle a dozen) are named in one line instead of a row each.
std::string trigger_table(const std::vector<ReplayResult>& replays) {
  struct Count {
    int listed = 0, invoked = 0;
  };
  std::map<std::pair<std::string, std::string>, Count> c;
  std::map<std::string, int> total_invoked;
  for (const auto& r : replays) {
    if (!r.trajectory) continue;
    const std::set<std::string> invoked(r.trajectory->skills_invoked.begin(), r.trajectory->skills_invoked.end());
    std::set<std::string> names(r.trajectory->skills_listed.begin(), r.trajectory->skills_listed.end());
    names.insert(invoked.begin(), invoked.end());
    for (const auto& n : names) {
      Count& k = c[{n, r.variant}];
      k.listed += 1;
      k.invoked += invoked.count(n) > 0 ? 1 : 0;
      total_invoked[n] += invoked.count(n) > 0 ? 1 : 0;
    }
  }
  std::string s, never;
  for (const auto& [name, n] : total_invoked)
    if (n == 0) never += (never.empty() ? "" : ", ") + esc_cut(name, 80);
  bool any = false;
  for (const auto& [key, k] : c) {
    if (total_invoked[key.first] == 0) continue;
    if (!any)
      s += "<div class=\"scroll\"><table><thead><tr><th>skill</th><th>replays</th><th class=\"num\">listed</th>"
           "<th class=\"num\">invoked</th><th class=\"num\">trigger rate</th></tr></thead><tbody>";
    any = true;
    s += "<tr><td><code>" + esc_cut(key.first, 80) + "</code></td><td>" + esc_cut(key.second, 60) +
         "</td><td class=\"num\">" + std::to_string(k.listed) + "</td><td class=\"num\">" + std::to_string(k.invoked) +
         "</td><td class=\"num\">" + fmt(double(k.invoked) / k.listed, "%.2f") + "</td></tr>";
  }
  s = any ? s + "</tbody></table></div>" : "<p class=\"muted\">No skill was invoked in any replay.</p>";
  if (!never.empty()) s += "<p>Listed but never invoked: " + never + "</p>";
  return s;
}

std::string commands_table(const Trajectory& t) {
  if (t.tool_calls.empty()) return "<p class=\"muted\">The agent made no tool call.</p>";
  std::string s = "<div class=\"scroll\"><table><thead><tr><th>tool</th><th>input</th><th class=\"num\">exit</th>"
                  "</tr></thead><tbody>";
  for (const auto& c : t.tool_calls) {
    const std::string exit = c.exit_code ? std::to_string(*c.exit_code) : (c.ok ? "ok" : "failed");
    s += "<tr><td>" + esc_cut(c.name, 40) + "</td><td><code>" + esc_cut(c.input, 400) + "</code></td><td class=\"num " +
         (c.ok ? "" : "down") + "\">" + esc(exit) + "</td></tr>";
  }
  return s + "</tbody></table></div>";
}

std::string replay_html(const ReplayResult& r, const Verdict* v, const std::map<std::string, std::string>& diffs) {
  const Trajectory& t = *r.trajectory;
  std::string s = "<details><summary><code>" + esc_cut(r.task_id, 80) + "</code> " + esc_cut(r.variant, 40) +
                  (r.sample ? " #" + std::to_string(r.sample) : std::string()) + " &middot; ";
  if (!r.error.empty())
    s += "<span class=\"down\">error</span>";
  else if (v)
    s += std::string("<span class=\"") + (v->hard >= 0.999 ? "up\">passed" : "down\">failed") + "</span>";
  s += " &middot; " + esc(t.ended) + " &middot; " + std::to_string(t.tool_calls.size()) + " calls";
  if (!t.skills_invoked.empty()) s += " &middot; invoked " + esc_cut(join(t.skills_invoked), 120);
  s += "</summary>";
  if (!r.error.empty()) s += "<p class=\"down\">" + esc_cut(r.error, 2000) + "</p>";
  if (v && !v->rationale.empty()) s += "<p>Verdict: " + esc_cut(v->rationale, 2000) + "</p>";
  s += "<p>Skills listed: " + (t.skills_listed.empty() ? std::string("none") : esc_cut(join(t.skills_listed), 1000)) +
       "<br>Skills invoked: " + (t.skills_invoked.empty() ? std::string("none") : esc_cut(join(t.skills_invoked), 400)) +
       "</p>";
  s += commands_table(t);
  for (const auto& c : t.checks)
    s += "<p>Check <code>" + esc_cut(c.command, 300) + "</code>: " +
         (c.exit_code ? "exit " + std::to_string(*c.exit_code) : std::string("did not finish")) + "</p>";
  s += "<p>Files changed: " + (t.files_changed.empty() ? std::string("none") : esc_cut(join(t.files_changed), 2000)) +
       "</p>";
  if (auto d = diffs.find(t.diff_artifact); d != diffs.end() && !d->second.empty())
    s += "<pre class=\"diff\">" + esc_cut(d->second, 20000) + "</pre>";
  if (!r.response.empty()) s += "<p>Final answer: " + esc_cut(r.response, 1500) + "</p>";
  s += "<p class=\"muted\">" + esc(t.agent) + " " + esc(t.agent_version) + ", start " + esc_cut(t.workspace_commit, 12) +
       ", confinement " + esc(t.confinement) + ", " + esc(fmt_seconds(r.latency_ms / 1000.0)) +
       (t.events_artifact.empty() ? std::string() : ", events: <code>" + esc(t.events_artifact) + "</code>") + "</p>";
  return s + "</details>";
}

}  // namespace

std::string trajectories_html(const std::vector<ReplayResult>& replays, const std::vector<Verdict>& verdicts,
                              const std::map<std::string, std::string>& diffs) {
  std::vector<const ReplayResult*> agentic;
  for (const auto& r : replays)
    if (r.trajectory) agentic.push_back(&r);
  if (agentic.empty()) return "";
  std::map<std::tuple<std::string, std::string, int>, const Verdict*> by;
  for (const auto& v : verdicts) by.emplace(std::tuple{v.task_id, v.variant, v.sample}, &v);
  std::string s = "<section id=\"replays\"><h2>Agent replays</h2>";
  s += "<p>Each replay is the real agent re-solving a task in an isolated checkout. Trigger rate: of the replays "
       "that listed a skill, the share where the agent invoked it.</p>";
  s += trigger_table(replays);
  for (const ReplayResult* r : agentic) {
    auto v = by.find({r->task_id, r->variant, r->sample});
    s += replay_html(*r, v == by.end() ? nullptr : v->second, diffs);
  }
  return s + "</section>";
}

}  // namespace skillpipe::host::report
