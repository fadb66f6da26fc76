// The offline pattern state's JSON, through the field visitor (pattern_state.hpp lists the
// fields).
#include "pattern_state.hpp"

#include "skillpipe/errors.hpp"

namespace skillpipe::mine_patterns {

int Pattern::successes() const {
  int n = 0;
  for (const auto& m : members) n += m.outcome == Outcome::kSuccess;
  return n;
}
int Pattern::failures() const {
  int n = 0;
  for (const auto& m : members) n += m.outcome == Outcome::kFail;
  return n;
}

PatternState parse_state(std::string_view json) {
  PatternState st;
  read_json(json, st, "offline pattern state");
  for (std::size_t i = 0; i < st.patterns.size(); ++i) {
    const Pattern& p = st.patterns[i];
    const std::string path = "offline pattern state: field /patterns/" + std::to_string(i);
    if (p.id.empty()) throw RecordError(path + "/id is missing");
    for (std::size_t j = 0; j < p.members.size(); ++j)
      if (p.members[j].outcome != Outcome::kSuccess && p.members[j].outcome != Outcome::kFail)
        throw RecordError(path + "/members/" + std::to_string(j) + "/outcome must be \"success\" or \"fail\"");
  }
  return st;
}

std::string state_to_json(const PatternState& state) { return write_json(state); }

}  // namespace skillpipe::mine_patterns
