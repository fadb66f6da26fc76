// staging.hpp - publishing a night: proposed documents, their diffs, report.json,
// report.md, and manifest.json written last.
#pragma once

#include <string>
#include <vector>

#include "durable_fs.hpp"
#include "layout.hpp"
#include "report_md.hpp"
#include "skillpipe/records.hpp"
#include "targets.hpp"

namespace skillpipe::store_files {

struct StagingContext {
  const Layout* layout = nullptr;
  std::string night_id;
  std::string night_dir;
  std::string started_at;
  FaultInjector* fi = nullptr;
  const TargetConfig* targets = nullptr;
  std::string store_arg;  // " --store DIR" when the store is not at its default place, else ""
};

// Throws Error for proposals that contradict themselves (base_sha256 not matching base_text,
// duplicate documents); never writes a partial manifest.
void stage_night(const StagingContext& ctx, const std::vector<Proposal>& proposals, NightReport report);
// Publishes a night that finished without staging anything (no report).
void publish_without_report(const StagingContext& ctx);

ReportCommands make_commands(const std::string& project, const std::string& night_id, const std::string& store_arg);

}  // namespace skillpipe::store_files
