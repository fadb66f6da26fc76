// lifecycle.hpp - skill profiles, a retention score that decays, and archiving cold skills.
//
// Every skill under the configured roots gets a profile: uses, successes, last use, origin
// and version history. Origin is "evolved" only for a skill that appeared exactly as a
// skillpipe draft staged it (the user adopted it); everything else is "manual" and is never
// touched. Retention = 1 - exp(-S), where S sums use weights (adoption 1, successful use 1,
// failed 0.25, unknown 0.5) each halved every `half_life_days` since it happened: unused
// skills fade, used ones recover. An evolved skill idle past `cold_after_days` with
// retention below `cold_score` goes cold; cold and idle past `archive_after_days` below
// `archive_score` it is archived: reported, and with `archive: true` its text is saved in the
// store (state and a night artifact) and only then removed from the agent's skill root. One
// step per night, so a skill is reported cold at least one night before it is archived.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lifecycle_state.hpp"
#include "skill_catalog.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {
class Store;
}

namespace skillpipe::consolidate_draft {

struct Settings {
  bool enabled = true;
  double half_life_days = 14;
  double cold_after_days = 30;
  double archive_after_days = 60;
  double cold_score = 0.3;
  double archive_score = 0.1;
  // true: remove an archived skill from the live root during the night (outside adoption:
  // nothing else a night does reaches the agent unadopted, so it is off unless asked for)
  bool archive = false;
  SessionJudgeOptions judge;
};

// A draft staged on an earlier night, to recognise its adoption.
struct StagedDraft {
  Target target;
  std::string name;
  std::string sha256;  // of the proposed text
  std::string night;
};

struct Report {
  std::vector<std::string> notes;
  std::map<std::string, std::int64_t> counts;
};

double retention(const Profile& p, std::int64_t now_ms, const Settings& s);

// Updates the profiles in `store` (key kProfilesKey) from the live skills and the night's
// digests, then applies the cold/archive transitions. `dry_run` moves nothing.
Report run_lifecycle(Store& store, const std::vector<consolidate_draft::ExistingSkill>& live,
                     const std::vector<Target>& scanned_targets, const DigestStream& digests,
                     const std::vector<StagedDraft>& staged, const Settings& settings, bool dry_run, Context& ctx);

}  // namespace skillpipe::consolidate_draft
