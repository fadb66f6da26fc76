// kit/task_file.hpp - reviewable task files: what `skillpipe tasks export` writes, what the
// miner's `tasks_file` and `skillpipe judge --tasks` read.
//
// The native format is JSONL: an optional header line, then one TaskRecord per line:
//   {"format":"skillpipe.tasks.v1","reviewed":false,"project":"/src/app",...}
//   {"id":"task_1a2b3c4d5e6f","intent":"...","judge":{"kind":"rule","checks":[...]},...}
// A file is *reviewed* when its header says "reviewed": true, or (no header) when every task
// carries attrs {"reviewed": "true"}. A person sets that after reading and editing the
// tasks; a paid backend refuses an unreviewed file.
//
// Also read, for compatibility: SkillOpt-Sleep's task file (one JSON object
// {"format":"skillopt_sleep.tasks.v1","reviewed":...,"tasks":[...]}), a bare JSON array of
// tasks, and gbrain-evals skillopt-v1 lines ({"task_id","task","judge":{...}}). Records are
// read leniently: numeric or boolean check args become text, groups may list their
// checks under "checks", legacy split names replay/holdout become train/val, reference kind
// "answer" becomes exact, a missing id is derived from the intent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe {

inline constexpr const char* kTaskFileFormat = "skillpipe.tasks.v1";

struct TaskFile {
  std::string path;
  std::string format;                 // kTaskFileFormat, "jsonl", "skillopt_sleep.tasks.v1" or "array"
  bool has_header = false;
  bool reviewed = false;
  Attrs meta;                         // header fields besides format and reviewed
  std::vector<TaskRecord> tasks;
  std::vector<std::int64_t> lines;    // 1-based source line of each task (0: single-document files)
};

// Throws Error when the file cannot be read, RecordError "<path>:<line>: <what>" for a bad
// record (nothing is skipped silently: a reviewed file is taken as a whole or not at all).
// Duplicate task ids are an error.
TaskFile read_task_file(const std::string& path);
// Parses text already in memory (`path` is used in messages only).
TaskFile parse_task_file(std::string_view text, const std::string& path);

// One task record, read leniently (see above). Throws RecordError naming the field.
TaskRecord task_from_json_lenient(std::string_view json);
// A JSON array of rule checks, read leniently. Throws RecordError.
std::vector<RuleCheck> rule_checks_from_json_lenient(std::string_view json_array);

// The native format: a header line (format, reviewed, then `meta` in key order) and one
// line per task.
std::string task_file_text(const std::vector<TaskRecord>& tasks, const Attrs& meta, bool reviewed);

}  // namespace skillpipe
