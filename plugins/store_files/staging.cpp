#include "staging.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/line_diff.hpp"
#include "skillpipe/kit/staging_notes.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_records.hpp"

namespace fs = std::filesystem;

namespace skillpipe::store_files {
namespace {

std::string proposal_file(const Proposal& p) {
  const bool skill = p.target.kind == DocKind::kSkill;
  return "proposed/" + to_string(p.target) + "." + p.name + (skill ? ".SKILL.md" : "");
}

// Every file of the night except the manifest itself, with its sha256, so `adopt` can tell
// whether anything was changed after publication.
std::vector<std::pair<std::string, std::string>> pin_files(const std::string& night_dir) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(night_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (is_temp_name(name)) continue;
    const std::string rel = fs::relative(it->path(), night_dir).string();
    if (rel == "manifest.json") continue;
    const auto bytes = read_bytes(it->path().string());
    if (bytes) out.emplace_back(rel, sha256_hex(*bytes));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

ReportCommands make_commands(const std::string& project, const std::string& night_id, const std::string& store_arg) {
  ReportCommands c;
  const std::string p = " --project " + shell_quote(project) + store_arg;
  c.adopt = "skillpipe adopt" + p + (night_id.empty() ? "" : " --night " + shell_quote(night_id));
  c.rollback = "skillpipe rollback" + p;
  c.status = "skillpipe status" + p;
  return c;
}

namespace {

// Every proposal is checked before anything is written.
void check_proposals(const std::vector<Proposal>& proposals) {
  std::map<std::string, std::string> seen_docs, seen_paths;
  for (const auto& p : proposals) {
    const std::string what = "proposal \"" + p.name + "\" (" + to_string(p.target) + ")";
    if (!is_safe_segment(p.name))
      throw Error(what + ": name and target must be safe file names (letters, digits, . _ -)");
    if (!p.base_sha256.empty() && p.base_sha256 != sha256_hex(p.base_text))
      throw Error(what + ": base_sha256 does not match base_text");
    if (p.base_sha256.empty() && !p.base_text.empty())
      throw Error(what + ": has base_text but no base_sha256 (an absent live file has neither)");
    const std::string doc_key = to_lower_ascii(to_string(p.target) + "/" + p.name);
    if (!seen_docs.emplace(doc_key, p.name).second) throw Error(what + " is proposed twice in one night");
    if (p.live_path.empty()) continue;
    const std::string rp = real_path(p.live_path);
    if (!seen_paths.emplace(rp, p.name).second)
      throw Error(what + ": live file " + rp + " is also the target of proposal \"" + seen_paths[rp] + "\"");
  }
}

// Writes the proposed document and its diff; returns its manifest entry (the pins).
ManifestEntry stage_proposal(const StagingContext& ctx, const Proposal& p) {
  ManifestEntry e;
  e.name = p.name;
  e.target = to_string(p.target);
  e.status = to_string(p.status);
  e.reasons = p.reasons;
  e.live_path = p.live_path;
  e.live_realpath = p.live_path.empty() ? "" : real_path(p.live_path);
  e.live_existed = !p.base_sha256.empty();
  e.live_sha256 = p.base_sha256;
  e.refusal = check_target(*ctx.targets, p, ctx.layout->project);
  e.proposed_file = proposal_file(p);
  e.diff_file = "diffs/" + e.target + "." + p.name + ".diff";
  e.sha256 = sha256_hex(p.proposed_text);
  // The live file may have moved on while the night ran; adopt would refuse it, so say so now.
  if (!p.live_path.empty()) {
    const auto now = read_bytes(p.live_path);
    e.changed_during_night = (now ? sha256_hex(*now) : "") != p.base_sha256;
  }
  write_atomic(*ctx.fi, ctx.night_dir + "/" + e.proposed_file, p.proposed_text);
  e.proposed_realpath = real_path(ctx.night_dir + "/" + e.proposed_file);
  const std::string label = p.live_path.empty() ? p.name : p.live_path;
  const LineDiff d = diff_lines(p.base_text, p.proposed_text);
  const std::string diff = unified_diff_text(d, p.base_sha256.empty() ? "/dev/null" : label, label);
  e.added = d.added;
  e.removed = d.removed;
  write_atomic(*ctx.fi, ctx.night_dir + "/" + e.diff_file, diff);
  return e;
}

// The report as published: the night's facts filled in, stale live files noted.
void complete_report(const StagingContext& ctx, const std::vector<Proposal>& proposals,
                     NightReport& report) {
  if (report.project.empty()) report.project = ctx.layout->project;
  if (report.night_id.empty()) report.night_id = ctx.night_id;
  if (report.started_at.empty()) report.started_at = ctx.started_at;
  if (report.finished_at.empty()) report.finished_at = format_iso8601_s(now_ms());
  if (report.proposals.empty()) report.proposals = proposals;
  // The host noted a changed live file before rendering report.html; a store driven
  // directly (or a file changed since) gets the note here, once.
  for (const auto& p : proposals)
    if (auto note = kit::live_changed_note(p);
        note && std::find(report.notes.begin(), report.notes.end(), *note) == report.notes.end())
      report.notes.push_back(std::move(*note));
}

}  // namespace

void stage_night(const StagingContext& ctx, const std::vector<Proposal>& proposals, NightReport report) {
  check_proposals(proposals);
  Manifest m;
  m.project = ctx.layout->project;
  m.night_id = ctx.night_id;
  m.created_at = format_iso8601_s(now_ms());
  m.night_realpath = real_path(ctx.night_dir);
  m.gate_action = report.gate_action ? to_string(*report.gate_action) : "";
  m.has_report = true;
  std::optional<DeferSync> batch(std::in_place);  // flushed together before the marker
  make_dirs(ctx.night_dir + "/proposed");
  make_dirs(ctx.night_dir + "/diffs");
  for (const auto& p : proposals) m.proposals.push_back(stage_proposal(ctx, p));
  complete_report(ctx, proposals, report);
  std::vector<StagedProposal> staged;
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const auto& e = m.proposals[i];
    staged.push_back({&proposals[i], e.proposed_file, e.diff_file, e.added, e.removed, e.refusal});
  }
  write_atomic(*ctx.fi, ctx.night_dir + "/report.json", to_json_pretty(report) + "\n");
  write_atomic(*ctx.fi, ctx.night_dir + "/report.md",
               render_report_md(report, staged, make_commands(ctx.layout->project, ctx.night_id, ctx.store_arg)));
  m.files = pin_files(ctx.night_dir);
  batch.reset();
  sync_pending();
  // The publication marker: until it exists the night is unfinished and resumable.
  write_atomic(*ctx.fi, ctx.night_dir + "/manifest.json", to_json(m));
}

void publish_without_report(const StagingContext& ctx) {
  Manifest m;
  m.project = ctx.layout->project;
  m.night_id = ctx.night_id;
  m.created_at = format_iso8601_s(now_ms());
  m.night_realpath = real_path(ctx.night_dir);
  m.files = pin_files(ctx.night_dir);
  write_atomic(*ctx.fi, ctx.night_dir + "/manifest.json", to_json(m));
}

}  // namespace skillpipe::store_files
