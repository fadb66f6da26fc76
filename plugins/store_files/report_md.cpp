#include "report_md.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "skillpipe/kit/rejection.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::store_files {
namespace {

std::string score(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", *v);
  return buf;
}

std::string change(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b || !std::isfinite(*a) || !std::isfinite(*b)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.3f", *b - *a);
  return buf;
}

std::string number(double v, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

void edit_list(std::string& out, const char* title, const std::vector<Edit>& edits, const char* empty) {
  out += "\n## " + std::string(title) + "\n\n";
  if (edits.empty()) {
    out += std::string(empty) + "\n";
    return;
  }
  for (const auto& e : edits) {
    out += "- [" + std::string(to_string(e.target)) + "/" + to_string(e.op);
    if (!e.document.empty()) out += " " + md_text(e.document, false, 80);
    out += "] " + md_text(e.content);
    if (!e.anchor.empty()) out += " (anchor: " + md_text(e.anchor, false, 120) + ")";
    if (!e.rationale.empty()) out += " — _why: " + md_text(e.rationale) + "_";
    if (e.status != EditStatus::kProposed) out += " `" + md_text(to_string(e.status), false, 40) + "`";
    if (const std::string why = kit::rejection_text(e); !why.empty()) out += " — **not kept:** " + md_text(why, false, 600);
    out += "\n";
  }
}

}  // namespace

std::string md_text(std::string_view s, bool in_table, std::size_t max_chars) {
  std::string out;
  std::size_t chars = 0;
  bool space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (c < 0x20 || c == 0x7f) continue;
    if (space && !out.empty()) out += ' ';
    space = false;
    if ((c & 0xC0) != 0x80 && ++chars > max_chars) {
      out += "…";
      break;
    }
    if (c == '<')
      out += "&lt;";  // enough to keep model output from opening an HTML tag
    else if (c == '|' && in_table)
      out += "\\|";
    else
      out += static_cast<char>(c);
  }
  return out;
}

namespace {

std::string result_section(const NightReport& r) {
  std::string out = "\n## Result\n\n";
  if (r.gate_action == GateAction::kRejectUnverified) {
    out +=
        "> **Not validated.** These proposals could not be checked on held-out tasks; they are "
        "staged as unverified suggestions and are never adopted automatically.\n\n";
  }
  out += "| score | before | after | change |\n|---|---|---|---|\n";
  out += "| validation | " + score(r.baseline_val) + " | " + score(r.candidate_val) + " | " +
         change(r.baseline_val, r.candidate_val) + " |\n";
  out += "| held-out test | " + score(r.baseline_test) + " | " + score(r.candidate_test) + " | " +
         change(r.baseline_test, r.candidate_test) + " |\n\n";
  out += "Gate: **" + md_text(to_string(r.gate_action)) + "**";
  if (!r.gate_metric.empty()) out += " (metric: " + md_text(r.gate_metric) + ")";
  if (!r.gate_reason.empty()) out += " — " + md_text(r.gate_reason, false, 2000);
  out += "\n";
  for (const auto& [k, v] : r.metrics) out += "- " + md_text(k) + ": " + number(v, "%.4g") + "\n";
  return out;
}

std::string proposals_section(const std::vector<StagedProposal>& staged) {
  std::string out = "\n## Proposals\n\n";
  if (staged.empty()) return out + "Nothing was proposed this night; there is nothing to adopt.\n";
  out += "| document | target | status | live file | changes | diff |\n|---|---|---|---|---|---|\n";
  for (const auto& s : staged) {
    const Proposal& p = *s.proposal;
    out += "| " + md_text(p.name, true) + " | " + md_text(to_string(p.target), true) + " | " +
           md_text(to_string(p.status), true) +
           (s.refusal.empty() ? "" : " (not adoptable)") + " | " +
           (p.live_path.empty() ? std::string("(none)") : "`" + md_text(p.live_path, true) + "`") +
           (p.base_sha256.empty() && !p.live_path.empty() ? " (new)" : "") + " | +" + std::to_string(s.added) + " −" +
           std::to_string(s.removed) + " | " + md_text(s.diff_file, true) + " |\n";
  }
  for (const auto& s : staged) {
    if (s.proposal->reasons.empty() && s.refusal.empty()) continue;
    out += "\n**" + md_text(s.proposal->name) + "** (" + md_text(to_string(s.proposal->target)) + "):\n";
    for (const auto& why : s.proposal->reasons) out += "- " + md_text(why) + "\n";
    if (!s.refusal.empty()) out += "- not adoptable: " + md_text(s.refusal) + "\n";
  }
  return out;
}

std::string work_section(const NightReport& r) {
  std::string out = "\n## Work and cost\n\n";
  if (!r.counts.empty()) {
    std::string line;
    for (const auto& [k, v] : r.counts) line += (line.empty() ? "" : ", ") + md_text(k) + " " + std::to_string(v);
    out += "- counts: " + line + "\n";
  }
  out += "- tokens: " + std::to_string(r.tokens.input) + " in, " + std::to_string(r.tokens.output) + " out";
  if (r.tokens.cache_read || r.tokens.cache_write)
    out += " (cache read " + std::to_string(r.tokens.cache_read) + ", write " + std::to_string(r.tokens.cache_write) + ")";
  out += "\n- LLM calls: " + std::to_string(r.llm_calls) + " (" + std::to_string(r.llm_calls - r.cached_calls) +
         " paid, " + std::to_string(r.cached_calls) + " answered from the cache)\n";
  out += "- cost: $" + number(r.cost_usd, "%.4f") + "\n";
  if (!r.timings_s.empty()) {
    std::string line;
    for (const auto& [k, v] : r.timings_s) line += (line.empty() ? "" : ", ") + md_text(k) + " " + number(v, "%.1f") + " s";
    out += "- time: " + line + "\n";
  }
  return out;
}

std::string what_to_do(const std::vector<StagedProposal>& staged, const ReportCommands& cmd) {
  std::string out = "\n## What to do\n\n";
  bool adoptable = false;
  for (const auto& s : staged)
    adoptable = adoptable || (s.refusal.empty() && s.proposal->status != ProposalStatus::kQuarantined);
  if (adoptable) {
    out += "Review the diffs listed above, then adopt:\n\n    " + cmd.adopt + "\n\n";
    out += "Every adoption backs up the live files; undo it with:\n\n    " + cmd.rollback + "\n\n";
  } else {
    out += "Nothing here can be adopted.\n\n";
  }
  return out + "See what is pending and what was adopted:\n\n    " + cmd.status + "\n";
}

}  // namespace

std::string render_report_md(const NightReport& r, const std::vector<StagedProposal>& staged,
                             const ReportCommands& cmd) {
  std::string out = "# skillpipe night " + md_text(r.night_id) + "\n\n";
  out += "Project: `" + md_text(r.project) + "`  \n";
  out += "Started " + md_text(r.started_at) + ", finished " + md_text(r.finished_at) + "\n";
  out += result_section(r) + proposals_section(staged);
  if (!r.deltas.empty()) {
    out += "\n## Per-task changes\n\n| task | split | before | after | change |\n|---|---|---|---|---|\n";
    for (const auto& d : r.deltas)
      out += "| " + md_text(d.task_id, true, 120) + " | " + md_text(to_string(d.split), true) + " | " + score(d.before) +
             " | " +
             score(d.after) + " | " + change(d.before, d.after) + " |\n";
  }
  edit_list(out, "Accepted edits", r.accepted_edits, "None.");
  edit_list(out, "Rejected edits (kept as negative feedback)", r.rejected_edits, "None.");
  edit_list(out, "Edits that changed nothing", r.unmatched_edits, "None.");
  out += work_section(r);
  if (!r.notes.empty()) {
    out += "\n## Notes\n\n";
    for (const auto& n : r.notes) out += "- " + md_text(n, false, 2000) + "\n";
  }
  return out + what_to_do(staged, cmd);
}

}  // namespace skillpipe::store_files
