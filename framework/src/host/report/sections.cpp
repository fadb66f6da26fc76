#include "host/report/sections.hpp"

#include <cmath>

#include "host/report/parts.hpp"
#include "skillpipe/kit/rejection.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::report {
namespace {

const char* kind_words(EditKind k) { return k == EditKind::kExecutionLapse ? "execution lapse" : "skill defect"; }

// Multi-line markdown (an edit's content) as highlighted lines.
std::string markdown_block(std::string_view text, std::size_t max_bytes) {
  const std::string cut = truncate_utf8(text, max_bytes);
  std::string out;
  bool code = false;
  for (const auto& line : split(cut, '\n')) {
    if (!out.empty()) out += '\n';
    out += markdown_line_html(line, code);
    if (is_fence(line)) code = !code;
  }
  return out;
}

// Why the night did not keep a rejected edit: its typed reason (Edit::rejection), else - for a
// record written before Edit schema 3 - the gate's reason when it rejected the night.
std::string rejection_reason(const Edit& e, const NightReport& r) {
  const std::string why = kit::rejection_text(e);
  if (e.status == EditStatus::kCarried)
    return "Not kept yet: " + (why.empty() ? "it looked promising but the gain was not significant" : why) +
           "; the next night re-tests it.";
  if (!why.empty()) return "Rejected: " + why;
  if (r.gate_action == GateAction::kReject && !r.gate_reason.empty()) return "Rejected by the gate: " + r.gate_reason;
  return "Rejected by the gate: the candidate carrying it did not beat the live documents on validation.";
}

std::string edit_item(const Edit& e, const std::string& rejected_because = "") {
  std::string s = "<li><div class=\"ph\"><span class=\"tag\">" + std::string(to_string(e.target)) + " · " +
                  to_string(e.op) + "</span>";
  if (!e.document.empty()) s += " <span class=\"tag\">" + esc_cut(e.document, 80) + "</span>";
  s += " <span class=\"tag\">" + std::string(kind_words(e.kind)) + "</span>";
  if (e.status != EditStatus::kProposed) s += " <span class=\"badge st-other\">" + esc(to_string(e.status)) + "</span>";
  s += "</div>";
  if (!e.content.empty()) s += "<pre>" + markdown_block(e.content, 4000) + "</pre>";
  if (!e.anchor.empty()) s += "<p class=\"muted\">anchor: <code>" + esc_cut(e.anchor, 300) + "</code></p>";
  if (!rejected_because.empty())
    s += "<p class=\"why rejected\"><strong>Why rejected:</strong> " + esc_cut(rejected_because, 3000) + "</p>";
  if (!e.rationale.empty())
    s += "<p class=\"why\"><strong>" + std::string(rejected_because.empty() ? "Why" : "Why it was proposed") +
         ":</strong> " + esc_cut(e.rationale, 3000) + "</p>";
  return s + "</li>";
}

void edit_group(std::string& s, const char* title, const char* meaning, const std::vector<Edit>& edits,
                const NightReport* rejected_in = nullptr) {
  s += "<h4>" + std::string(title) + " <span class=\"tag\">" + std::to_string(edits.size()) + "</span></h4>";
  if (edits.empty()) {
    s += "<p class=\"muted\">None.</p>";
    return;
  }
  s += "<p class=\"muted\">" + std::string(meaning) + "</p><ul class=\"edits\">";
  for (const auto& e : edits) s += edit_item(e, rejected_in ? rejection_reason(e, *rejected_in) : "");
  s += "</ul>";
}

std::string tile(const std::string& value_html, const std::string& label, const std::string& title = "") {
  return "<div class=\"tile\"" + (title.empty() ? std::string() : " title=\"" + esc(title) + "\"") +
         "><div class=\"v\">" + value_html + "</div><div class=\"k\">" + label + "</div></div>";
}

std::string count_tile(const std::optional<std::int64_t>& v, const std::string& label, const std::string& title = "") {
  return tile(v ? fmt_int(*v) : "<span class=\"nm\">not counted</span>", label, title);
}

std::string command(const std::string& what, const std::string& cmd) {
  return "<p>" + what + "</p><pre><code>" + esc(cmd) + "</code></pre>";
}

// The adopt commands of a night nobody adopted yet: the accepted proposals, then each
// unverified one on its own (they need --allow-unverified and a read first).
std::string adopt_commands(const NightReport& r, const std::string& tail, const std::string& night) {
  std::string s;
  int accepted = 0;
  std::vector<const Proposal*> unverified;
  for (const auto& p : r.proposals) {
    if (p.status == ProposalStatus::kAccepted)
      ++accepted;
    else if (p.status != ProposalStatus::kQuarantined)
      unverified.push_back(&p);
  }
  if (accepted) {
    s += command("Read the diffs above, then adopt the accepted proposal" + std::string(accepted > 1 ? "s" : "") + ":",
                 "skillpipe adopt" + tail + night);
  }
  for (const Proposal* p : unverified) {
    s += command("Adopt <strong>" + esc(p->name) + "</strong> (" + esc(to_string(p->status)) +
                     ", not verified by the gate) only after reading it:",
                 "skillpipe adopt" + tail + night + " --skill " + shell_quote(p->name) + " --allow-unverified");
  }
  if (!accepted && unverified.empty()) s += "<p>Nothing from this night can be adopted.</p>";
  return s;
}

}  // namespace

std::optional<std::int64_t> count_total(const std::map<std::string, std::int64_t>& counts, const std::string& key) {
  if (auto it = counts.find(key); it != counts.end()) return it->second;
  std::optional<std::int64_t> sum;
  for (const auto& [k, v] : counts) {
    if (k.size() > key.size() + 1 && ends_with(k, "." + key)) sum = sum.value_or(0) + v;
  }
  return sum;
}

std::optional<std::int64_t> mined_tasks(const std::map<std::string, std::int64_t>& counts) {
  // The host's "tasks" total adds every miner's output, recurring patterns included; the task
  // miners' own "<stage>.tasks" counts are tasks only.
  std::optional<std::int64_t> sum;
  for (const auto& [k, v] : counts)
    if (ends_with(k, ".tasks") && k.find('.') == k.size() - 6) sum = sum.value_or(0) + v;
  if (sum) return sum;
  if (auto it = counts.find("tasks"); it != counts.end()) return it->second;
  return std::nullopt;
}

bool is_anomaly_count(const std::string& name) {
  const std::string leaf = name.substr(name.rfind('.') + 1);
  for (const char* w : {"anomal", "malformed", "unreadable", "unsupported", "invalid", "torn", "corrupt", "unparsable",
                        "unparseable", "bad_", "error"}) {
    if (leaf.find(w) != std::string::npos) return true;
  }
  return false;
}

std::string edits_html(const NightReport& r) {
  std::string s = "<section id=\"edits\"><h2>Edits</h2>";
  if (r.accepted_edits.empty() && r.rejected_edits.empty() && r.unmatched_edits.empty()) {
    return s + "<p class=\"muted\">No edits were proposed this night.</p></section>";
  }
  edit_group(s, "Accepted", "Applied to the candidate that passed the gate; they are in the documents above.",
             r.accepted_edits);
  edit_group(s, "Rejected",
             "Tried and dropped: they did not help on validation. Kept as negative feedback for later nights.",
             r.rejected_edits, &r);
  edit_group(s, "Unmatched",
             "They changed nothing: an anchor was not found, the text was already there, or the "
             "section is protected.",
             r.unmatched_edits);
  return s + "</section>";
}

std::string cost_html(const NightReport& r) {
  std::string s = "<section id=\"cost\"><h2>Tokens, cost and time</h2><div class=\"tiles\">";
  s += tile(fmt_int(r.tokens.input), "input tokens");
  s += tile(fmt_int(r.tokens.output), "output tokens");
  if (r.tokens.cache_read || r.tokens.cache_write) {
    s += tile(fmt_int(r.tokens.cache_read) + " / " + fmt_int(r.tokens.cache_write), "prompt cache read / write");
  }
  std::string calls = "LLM calls";
  if (r.llm_calls > 0) {
    calls += " (" + fmt(100.0 * static_cast<double>(r.cached_calls) / static_cast<double>(r.llm_calls), "%.0f") +
             "% cached)";
  }
  s += tile(fmt_int(r.llm_calls), calls,
            std::to_string(r.cached_calls) + " answered from the response cache at no cost");
  s += tile("$" + fmt(std::isfinite(r.cost_usd) ? r.cost_usd : 0.0, r.cost_usd < 1 ? "%.4f" : "%.2f"), "cost (USD)");
  if (auto it = r.timings_s.find("total"); it != r.timings_s.end())
    s += tile(esc(fmt_seconds(it->second)), "wall time");
  s += "</div>";
  const std::string chart = timings_chart_svg(r.timings_s);
  if (chart.empty()) return s + "<p class=\"muted\">No phase timings were recorded.</p></section>";
  s += "<h4>Wall time per phase</h4>" + chart +
       "<details><summary>As a table</summary><div class=\"scroll\"><table><tbody>";
  for (const auto& [k, v] : r.timings_s) {
    s += "<tr><td>" + esc(k) + "</td><td class=\"num\">" + esc(fmt_seconds(v)) + "</td></tr>";
  }
  return s + "</tbody></table></div></details></section>";
}

std::string harvest_html(const NightReport& r) {
  std::string s = "<section id=\"harvest\"><h2>What was read</h2>";
  if (r.counts.empty()) return s + "<p class=\"muted\">No counts were recorded.</p></section>";
  std::optional<std::int64_t> anomalies = count_total(r.counts, "anomalies");
  std::string anomaly_keys;
  if (!anomalies) {
    for (const auto& [k, v] : r.counts) {
      if (!is_anomaly_count(k)) continue;
      anomalies = anomalies.value_or(0) + v;
      anomaly_keys += (anomaly_keys.empty() ? "" : ", ") + k + " " + std::to_string(v);
    }
    if (!anomalies) anomalies = 0;  // counts exist and none reports a problem
  }
  s += "<div class=\"tiles\">";
  s += count_tile(count_total(r.counts, "sessions"), "sessions");
  s += count_tile(count_total(r.counts, "prompts"), "prompts");
  // The harvest driver redacts every digest and counts only non-zero redactions: sessions
  // without a redaction count mean none was needed.
  auto redactions = count_total(r.counts, "redactions");
  if (!redactions && count_total(r.counts, "sessions")) redactions = 0;
  s += count_tile(redactions, "secrets redacted");
  s += count_tile(anomalies, "anomalies", anomaly_keys);
  s += count_tile(mined_tasks(r.counts), "tasks mined", "tasks the task miners emitted (recurring patterns not included)");
  s += "</div>";
  s += "<details><summary>Every count (" + std::to_string(r.counts.size()) +
       ")</summary><div class=\"scroll\"><table><tbody>";
  for (const auto& [k, v] : r.counts) {
    s += "<tr><td class=\"id\">" + esc(k) + (is_anomaly_count(k) && v > 0 ? " <span class=\"down\">●</span>" : "") +
         "</td><td class=\"num\">" + fmt_int(v) + "</td></tr>";
  }
  return s + "</tbody></table></div></details></section>";
}

std::string commands_html(const NightReport& r, const std::string& store_dir,
                          const std::optional<AdoptionState>& adoption) {
  const std::string tail = (r.project.empty() ? "" : " --project " + shell_quote(r.project)) +
                           (store_dir.empty() ? "" : " --store " + shell_quote(store_dir));
  const std::string night = r.night_id.empty() ? "" : " --night " + shell_quote(r.night_id);
  const NightAdoption state = adoption ? adoption->state : NightAdoption::kPending;
  std::string s = "<section id=\"next\"><h2>" +
                  std::string(state == NightAdoption::kAdopted ? "Adopted: keep or roll back"
                              : state == NightAdoption::kRolledBack ? "Rolled back"
                                                                    : "Adopt or roll back") +
                  "</h2>";
  if (state == NightAdoption::kAdopted) {
    s += "<p class=\"state\"><strong>This night was adopted</strong> (version " + std::to_string(adoption->version) +
         (adoption->at.empty() ? "" : ", " + esc(adoption->at)) + "): your agent uses its documents now. Nothing is "
         "left to adopt.</p>";
    s += command("If it made things worse, undo it:", "skillpipe rollback" + tail);
  } else if (state == NightAdoption::kRolledBack) {
    s += "<p class=\"state\"><strong>This night was adopted (version " + std::to_string(adoption->version) +
         ") and rolled back</strong> by version " + std::to_string(adoption->undone_by) +
         (adoption->undone_at.empty() ? "" : " (" + esc(adoption->undone_at) + ")") +
         ": its documents are no longer live.</p>";
    s += command("To use it again after all, adopt it again:", "skillpipe adopt" + tail + night);
  } else {
    s += adopt_commands(r, tail, night);
    s += command("Every adoption backs up the live files. Undo the latest one with:", "skillpipe rollback" + tail);
  }
  s += command("See what is pending and what was adopted:", "skillpipe status" + tail);
  s += command("Open this report again:", "skillpipe report" + tail + night + " --open");
  return s + "</section>";
}

}  // namespace skillpipe::host::report
