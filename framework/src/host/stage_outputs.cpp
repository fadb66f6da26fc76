#include "host/stage_outputs.hpp"

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::host {
namespace {

std::string base_of(const std::string& id) {
  std::string s = id;
  for (char& c : s)
    if (c == '/') c = '~';
  return "stages/" + s;
}

template <class T>
std::string to_lines(const std::vector<T>& v) {
  std::string out;
  for (const auto& r : v) out += to_json(r) + "\n";
  return out;
}

template <class T>
std::vector<T> from_lines(const std::string& text) {
  std::vector<T> out;
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty()) out.push_back(record_from_json<T>(line));
  return out;
}

}  // namespace

void persist_stage_output(Store* store, const std::string& id, const StageOutput& out) {
  if (!store) return;
  const std::string base = base_of(id);
  if (!out.digests.empty()) store->write_artifact(base + ".digests.jsonl", to_lines(out.digests));
  if (!out.tasks.empty()) store->write_artifact(base + ".tasks.jsonl", to_lines(out.tasks));
  if (!out.verdicts.empty()) store->write_artifact(base + ".verdicts.jsonl", to_lines(out.verdicts));
  if (out.is_consolidator) {
    store->write_artifact(base + ".proposals.jsonl", to_lines(out.consolidated.proposals));
    store->write_artifact(base + ".edits.jsonl", to_lines(out.consolidated.edits));
    store->write_artifact(base + ".report.json", to_json(out.consolidated.report));
  }
  store->write_artifact(base + ".done", format_iso8601(now_ms()) + "\n");
}

bool load_stage_output(Store* store, const std::string& id, StageOutput& out) {
  const std::string base = base_of(id);
  if (!store || !store->read_artifact(base + ".done")) return false;
  if (auto t = store->read_artifact(base + ".digests.jsonl")) out.digests = from_lines<SessionDigest>(*t);
  if (auto t = store->read_artifact(base + ".tasks.jsonl")) out.tasks = from_lines<TaskRecord>(*t);
  if (auto t = store->read_artifact(base + ".verdicts.jsonl")) out.verdicts = from_lines<Verdict>(*t);
  if (auto t = store->read_artifact(base + ".report.json")) {
    out.is_consolidator = true;
    from_json(*t, out.consolidated.report);
    if (auto p = store->read_artifact(base + ".proposals.jsonl")) out.consolidated.proposals = from_lines<Proposal>(*p);
    if (auto e = store->read_artifact(base + ".edits.jsonl")) out.consolidated.edits = from_lines<Edit>(*e);
  }
  return true;
}

}  // namespace skillpipe::host
