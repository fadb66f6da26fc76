// The skill profiles' JSON, through the field visitor (lifecycle_state.hpp lists the fields).
#include "lifecycle_state.hpp"

#include "skillpipe/errors.hpp"

namespace skillpipe::consolidate_draft {

Profile* ProfileState::find(Target target, const std::string& name) {
  for (auto& p : profiles)
    if (p.target == target && p.name == name) return &p;
  return nullptr;
}

ProfileState parse_profiles(std::string_view json) {
  ProfileState st;
  read_json(json, st, "skill profile state");
  for (std::size_t i = 0; i < st.profiles.size(); ++i) {
    const Profile& p = st.profiles[i];
    const std::string path = "skill profile state: field /profiles/" + std::to_string(i);
    if (p.name.empty()) throw RecordError(path + "/name is missing");
    if (p.origin != "manual" && p.origin != "evolved")
      throw RecordError(path + "/origin must be \"manual\" or \"evolved\", got \"" + p.origin + "\"");
  }
  return st;
}

std::string profiles_to_json(const ProfileState& state) { return write_json(state); }

}  // namespace skillpipe::consolidate_draft
