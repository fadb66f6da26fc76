// persona_file.hpp - SkillOpt-Sleep's persona fixture format:
//   {"rule_text": {key: text}, "personas": {name: [task, ...]}, "harmful_task": task, ...}
// Tasks are TaskRecord JSON read leniently (tags, reference, judge checks carried through).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_personas {

struct PersonaFile {
  std::string path;
  std::vector<std::pair<std::string, std::vector<TaskRecord>>> personas;  // file order
  std::optional<TaskRecord> harmful;
  const std::vector<TaskRecord>* find(const std::string& persona) const;
  std::string names() const;  // "researcher, programmer"
};

// Throws Error naming the file and the field for anything unreadable.
PersonaFile read_persona_file(const std::string& path);

}  // namespace skillpipe::mine_personas
