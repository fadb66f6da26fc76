// report/parts.hpp - the pieces report/html.cpp assembles: text escaping and number
// formatting (report_text.cpp), the inline SVG charts (report_svg.cpp) and the diff view of
// a proposal (report_diff.cpp). Internal to the host; every function returns HTML in which
// all data-derived text is already escaped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::host::report {

// HTML-escapes text for element content and quoted attributes (& < > " '), drops control
// characters other than tab and newline, and replaces invalid UTF-8 with U+FFFD.
std::string esc(std::string_view s);
// esc() of at most `max_chars` characters, with "…" when cut.
std::string esc_cut(std::string_view s, std::size_t max_chars);

std::string fmt(double v, const char* printf_format);
std::string fmt_score(double v);                             // "0.734"
std::string fmt_score_html(const std::optional<double>& v);  // score, or a "not measured" span
std::string fmt_change_html(const std::optional<double>& before, const std::optional<double>& after);
std::string fmt_int(std::int64_t v);  // 12 345 (thin spaces)
std::string fmt_seconds(double s);    // 0.4 s, 12 s, 3 min 05 s, 1 h 02 min

// One markdown line as highlighted HTML: headings, list markers, quotes, rules, fences and
// code lines, inline `code`, **bold** and [links](...) (coloured, never made clickable).
std::string markdown_line_html(std::string_view line, bool in_code_block);
// Whether a line opens or closes a fenced code block (``` or ~~~).
bool is_fence(std::string_view line);

// Classification of a task's change; `eps` absorbs float noise.
enum class DeltaKind { kImproved, kRegressed, kUnchanged };
DeltaKind delta_kind(const TaskDelta& d, double eps = 1e-9);

// Charts (inline SVG, sized by viewBox so they scale to any screen).
// `nights`: oldest first, the current night included; `current_id` is highlighted.
// Plots the held-out test score when any night measured one, else validation (and says so).
bool history_has_test(const std::vector<NightReport>& nights);
std::string history_chart_svg(const std::vector<NightReport>& nights, const std::string& current_id);
// The changed tasks as labelled HTML bars (task name, split, before → after, change on a
// labelled axis); "" when no task changed, so the caller says so instead of drawing an empty box.
std::string deltas_chart_html(const std::vector<TaskDelta>& deltas);
// Wall time per stage, each stage's own sub-phases ("consolidate.rollouts") nested under it
// rather than listed beside it as if they added up; "" without timings.
std::string timings_chart_svg(const std::map<std::string, double>& timings_s);

// A proposal's header, reasons and its unified diff against the live text.
std::string proposal_html(const Proposal& p, std::size_t index);

}  // namespace skillpipe::host::report
