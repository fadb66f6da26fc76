// report_md.hpp - renders a NightReport as the report.md a person reads in the morning.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::store_files {

// One staged proposal as the report lists it.
struct StagedProposal {
  const Proposal* proposal = nullptr;
  std::string proposed_file;  // relative to the night directory
  std::string diff_file;
  int added = 0;
  int removed = 0;
  std::string refusal;  // non-empty when the store will not adopt it
};

struct ReportCommands {
  std::string adopt;  // exact commands, already shell-quoted
  std::string rollback;
  std::string status;
};

std::string render_report_md(const NightReport& report, const std::vector<StagedProposal>& staged,
                             const ReportCommands& commands);

// Markdown-safe single-line text: control characters dropped, newlines folded, '<' escaped
// (no HTML injection from model output), '|' escaped when `in_table`.
std::string md_text(std::string_view s, bool in_table = false, std::size_t max_chars = 600);

}  // namespace skillpipe::store_files
