// harvest_explain.cpp - explain_no_sessions(): why a harvest found no sessions, in words that
// name the flag or config key that would change it (read from the run's counters).
#include <string>
#include <vector>

#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::harvest {

std::string explain_no_sessions(const std::map<std::string, std::int64_t>& counts, bool cli) {
  auto n = [&](const char* k) {
    auto it = counts.find(k);
    return it == counts.end() ? std::int64_t{0} : it->second;
  };
  auto num = [](std::int64_t v, const char* one, const char* many) {
    return std::to_string(v) + " " + (v == 1 ? one : many);
  };
  std::vector<std::string> why;
  if (n("files_seen") == 0)
    why.push_back(cli ? "no transcript files were found (--home names the agent's folder or your home)"
                      : "no transcript files were found (check `home`)");
  if (auto v = n("sessions_skipped_out_of_scope"))
    why.push_back(num(v, "session belongs", "sessions belong") + " to other projects (" +
                  (cli ? "--all-projects, or --project DIR" : "project_scope: all, or projects: [...]") + ")");
  const std::int64_t old_files = n("files_outside_window"), old_records = n("records_before_window");
  if (old_files || old_records) {
    std::string what = old_files ? num(old_files, "file was", "files were") + " last written" : "";
    if (old_records) what += (what.empty() ? "" : " and ") + num(old_records, "record is", "records are");
    why.push_back(what + " older than the lookback window (" +
                  (cli ? "--since 30d, or --since all" : "lookback_hours, 0 = everything") + ")");
  }
  if (auto v = n("files_unchanged"))
    why.push_back(num(v, "file was", "files were") + " harvested before and did not change");
  if (auto v = n("turns_held_back"))
    why.push_back(num(v, "session is", "sessions are") + " still being written (read once settle_minutes pass)");
  for (const char* k : {"sessions_skipped_replay", "sessions_skipped_agent_marker", "sessions_skipped_subagent"})
    if (auto v = n(k)) why.push_back(num(v, "session is", "sessions are") + " not the user's work (" + (k + 17) + ")");
  if (auto v = n("files_without_prompts") + n("sessions_skipped_no_prompts"))
    why.push_back(num(v, "file holds", "files hold") + " no prompt");
  if (auto v = n("sessions_capped")) why.push_back(num(v, "session was", "sessions were") + " over max_sessions");
  if (why.empty()) return {};
  std::string out = "0 sessions: ";
  for (std::size_t i = 0; i < why.size(); ++i) out += (i ? "; " : "") + why[i];
  return out;
}

}  // namespace skillpipe::harvest
