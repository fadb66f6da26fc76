// lifecycle_state.hpp - per-skill profiles kept in the store's project state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::lifecycle {

struct Version {
  int version = 0;
  std::string action;  // discovered | adopted | edited | restored | removed | lifecycle:cold | lifecycle:archived ...
  std::string at;      // ISO-8601
  std::string night;
  std::string sha256;  // of the live text after the action ("" when gone)
  std::string note;
};

struct Profile {
  std::string target;  // claude_skill | codex_skill
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

struct ProfileState {
  std::vector<Profile> profiles;
  Profile* find(const std::string& target, const std::string& name);
};

constexpr const char* kProfilesKey = "offline/skill_profiles";

// Throws skillpipe::Error naming the bad field.
ProfileState parse_profiles(std::string_view json);
std::string profiles_to_json(const ProfileState& state);

}  // namespace skillpipe::lifecycle
