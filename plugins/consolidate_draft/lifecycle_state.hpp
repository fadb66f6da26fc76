// lifecycle_state.hpp - per-skill profiles kept in the store's project state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/fields.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

struct Version {
  int version = 0;
  std::string action;  // discovered | adopted | edited | restored | removed | lifecycle:cold | lifecycle:archived ...
  std::string at;      // ISO-8601
  std::string night;
  std::string sha256;  // of the live text after the action ("" when gone)
  std::string note;
};
SKILLPIPE_FIELDS(Version) {
  v("version", r.version);
  v("action", r.action);
  v("at", r.at);
  v("night", r.night);
  v("sha256", r.sha256);
  v("note", r.note);
}

struct Profile {
  Target target;       // a skill target
  std::string name;
  std::string live_path;
  std::string origin;          // manual | evolved
  std::string status;          // active | cold | archiving | archived | removed
  bool user_modified = false;  // an evolved skill the user edited: treated like a manual one
  int uses = 0;
  int successes = 0;
  int failures = 0;
  std::int64_t created_ms = 0;
  std::int64_t last_used_ms = 0;  // 0: never used
  double strength = 0;            // decayed sum of use weights, as of strength_at_ms
  std::int64_t strength_at_ms = 0;
  std::string sha256;                         // the live text as last seen
  std::vector<std::string> counted_sessions;  // sessions already counted (bounded)
  std::vector<Version> versions;
};
SKILLPIPE_FIELDS(Profile) {
  v("target", r.target);
  v("name", r.name);
  v("live_path", r.live_path);
  v("origin", r.origin);
  v("status", r.status);
  v("user_modified", r.user_modified);
  v("uses", r.uses);
  v("successes", r.successes);
  v("failures", r.failures);
  v("created_ms", r.created_ms);
  v("last_used_ms", r.last_used_ms);
  v("strength", r.strength);
  v("strength_at_ms", r.strength_at_ms);
  v("sha256", r.sha256);
  v("counted_sessions", r.counted_sessions);
  v("versions", r.versions);
}

struct ProfileState {
  static constexpr int kSchemaVersion = 1;
  std::vector<Profile> profiles;
  Profile* find(Target target, const std::string& name);
};
SKILLPIPE_FIELDS(ProfileState) { v("profiles", r.profiles); }

constexpr const char* kProfilesKey = "offline/skill_profiles";

// Throws RecordError naming the bad field.
ProfileState parse_profiles(std::string_view json);
std::string profiles_to_json(const ProfileState& state);

}  // namespace skillpipe::consolidate_draft
