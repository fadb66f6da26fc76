// A proposal in the HTML report: what it is, why, and its unified diff against the live text
// with the markdown of every line highlighted.
#include "skillpipe/kit/line_diff.hpp"
#include "host/report/parts.hpp"

namespace skillpipe::host::report {
namespace {

constexpr std::size_t kMaxDiffRows = 2500;  // past this the page gets unwieldy on a phone

std::string status_badge(ProposalStatus status) {
  const char* cls = status == ProposalStatus::kAccepted      ? "st-ok"
                    : status == ProposalStatus::kQuarantined ? "st-bad"
                                                             : "st-warn";  // unverified, draft
  return "<span class=\"badge " + std::string(cls) + "\">" + esc(to_string(status)) + "</span>";
}

// Whether each line of the edit script sits inside a fenced code block of its own side.
std::vector<bool> code_states(const LineDiff& d) {
  std::vector<bool> out;
  out.reserve(d.lines.size());
  bool old_code = false, new_code = false;
  for (const auto& l : d.lines) {
    const bool fence = is_fence(l.text);
    switch (l.op) {
      case DiffOp::kEqual:
        out.push_back(new_code);
        if (fence) old_code = !old_code, new_code = !new_code;
        break;
      case DiffOp::kDelete:
        out.push_back(old_code);
        if (fence) old_code = !old_code;
        break;
      case DiffOp::kInsert:
        out.push_back(new_code);
        if (fence) new_code = !new_code;
        break;
    }
  }
  return out;
}

std::string line_no(int n) { return n > 0 ? std::to_string(n) : ""; }

std::string diff_table(const Proposal& p, std::string* stats) {
  const LineDiff d = diff_lines(p.base_text, p.proposed_text);
  *stats = "<span class=\"up\">+" + std::to_string(d.added) + "</span> <span class=\"down\">−" +
           std::to_string(d.removed) + "</span> lines";
  if (d.added == 0 && d.removed == 0) return "<p class=\"muted\">The proposed text is identical to the live text.</p>";
  const auto code = code_states(d);
  std::string t = "<div class=\"scroll\"><table class=\"diff\"><tbody>";
  std::size_t rows = 0;
  bool cut = false;
  for (const auto& h : make_hunks(d, 3)) {
    if (rows >= kMaxDiffRows) {
      cut = true;
      break;
    }
    t += "<tr class=\"hunk\"><td class=\"ln\"></td><td class=\"ln\"></td><td class=\"code\">@@ -" +
         std::to_string(h.old_start) + "," + std::to_string(h.old_len) + " +" + std::to_string(h.new_start) + "," +
         std::to_string(h.new_len) + " @@</td></tr>";
    for (std::size_t j = 0; j < h.lines.size(); ++j, ++rows) {
      if (rows >= kMaxDiffRows) {
        cut = true;
        break;
      }
      const DiffLine& l = h.lines[j];
      const char* cls = l.op == DiffOp::kEqual ? "ctx" : (l.op == DiffOp::kDelete ? "del" : "add");
      const char* sign = l.op == DiffOp::kEqual ? " " : (l.op == DiffOp::kDelete ? "-" : "+");
      t += "<tr class=\"" + std::string(cls) + "\"><td class=\"ln\">" + line_no(l.old_no) + "</td><td class=\"ln\">" +
           line_no(l.new_no) + "</td><td class=\"code\"><span class=\"sg\">" + sign + "</span>" +
           markdown_line_html(l.text, code[h.first + j]);
      if (!l.has_newline) t += "<span class=\"nonl\">⏎ no newline at end of file</span>";
      t += "</td></tr>";
    }
  }
  t += "</tbody></table></div>";
  if (cut) {
    t += "<p class=\"muted\">The diff is longer than " + std::to_string(kMaxDiffRows) +
         " rows; the rest is in the night's diffs/ folder.</p>";
  }
  if (d.approximate) {
    t += "<p class=\"muted\">The texts differ almost everywhere, so this shows the changed part as one replaced "
         "block.</p>";
  }
  return t;
}

}  // namespace

std::string proposal_html(const Proposal& p, std::size_t index) {
  std::string stats;
  const std::string table = diff_table(p, &stats);
  std::string s = "<article class=\"proposal\" id=\"proposal-" + std::to_string(index + 1) + "\">";
  s += "<div class=\"ph\"><h3>" + esc(p.name) + "</h3> " + status_badge(p.status) + " <span class=\"tag\">" +
       esc(to_string(p.target)) + "</span> <span class=\"stats\">" + stats + "</span></div>";
  s += "<p class=\"path\">";
  if (p.live_path.empty())
    s += "not adopted anywhere yet";
  else
    s += "live file <code>" + esc(p.live_path) + "</code>";
  if (p.base_sha256.empty() && p.base_text.empty()) s += " <span class=\"tag\">new file</span>";
  s += "</p>";
  if (p.status == ProposalStatus::kQuarantined) {
    s += "<p class=\"warnbox\">Quarantined by the safety scan: this proposal is never adopted.</p>";
  } else if (p.status == ProposalStatus::kUnverified) {
    s += "<p class=\"warnbox\">Not verified on held-out tasks: adopt only after reading it.</p>";
  }
  if (!p.reasons.empty()) {
    s += "<ul class=\"reasons\">";
    for (const auto& r : p.reasons) s += "<li>" + esc_cut(r, 2000) + "</li>";
    s += "</ul>";
  }
  s += "<details open><summary>Changes to the live text</summary>" + table + "</details>";
  s += "</article>";
  return s;
}

}  // namespace skillpipe::host::report
