#include "host/stage_outputs.hpp"

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>

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
void append_lines(const std::string& text, std::vector<T>& out) {
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty()) out.push_back(record_from_json<T>(line));
}

template <class T>
std::vector<T> from_lines(const std::string& text) {
  std::vector<T> out;
  append_lines(text, out);
  return out;
}

// A first night's digests are tens of megabytes of JSON: written in parts of about this size,
// so the night never holds a second copy of them as one string.
constexpr std::size_t kDigestPartBytes = 8u << 20;
constexpr std::string_view kPartsLine = "digest_parts ";

// Part 0 keeps the single-file name older nights have; part k is "<base>.part<k>.digests.jsonl".
std::string digest_part(const std::string& base, std::size_t k) {
  return base + (k == 0 ? "" : ".part" + std::to_string(k)) + ".digests.jsonl";
}

// Returns how many parts were written. The buffer is sized once (an untouched reservation
// costs no resident memory): growing it by doubling held two buffers at once.
std::size_t write_digests(Store& store, const std::string& base, const std::vector<SessionDigest>& digests) {
  std::size_t parts = 0;
  std::string text;
  if (!digests.empty()) text.reserve(kDigestPartBytes);
  for (const auto& d : digests) {
    std::string line = to_json(d);
    if (!text.empty() && text.size() + line.size() >= kDigestPartBytes) {
      store.write_artifact(digest_part(base, parts++), text);
      text.clear();
    }
    text += line;
    text += '\n';
  }
  if (!text.empty()) store.write_artifact(digest_part(base, parts++), text);
  return parts;
}

// The part count the .done marker records; nullopt for a marker of an older night, whose
// digests are one file, written only when the stage had any.
std::optional<std::size_t> digest_parts(const std::string& done) {
  const auto at = done.find(kPartsLine);
  if (at == std::string::npos) return std::nullopt;
  return static_cast<std::size_t>(std::strtoull(done.c_str() + at + kPartsLine.size(), nullptr, 10));
}

void read_digests(const Store& store, const std::string& id, const std::string& base, const std::string& done,
                  std::vector<SessionDigest>& out) {
  const auto parts = digest_parts(done);
  if (!parts) {
    if (auto t = store.read_artifact(digest_part(base, 0))) append_lines(*t, out);
    return;
  }
  for (std::size_t k = 0; k < *parts; ++k) {
    const auto t = store.read_artifact(digest_part(base, k));
    if (!t)
      throw std::runtime_error("the night's saved output of stage '" + id + "' is incomplete: artifacts/" +
                               digest_part(base, k) + " is missing although " + base +
                               ".done lists it; run the same command with --restart to start a new night");
    append_lines(*t, out);
  }
}

}  // namespace

void persist_stage_output(Store* store, const std::string& id, const StageOutput& out) {
  if (!store) return;
  const std::string base = base_of(id);
  const std::size_t parts = write_digests(*store, base, out.digests);
  if (!out.tasks.empty()) store->write_artifact(base + ".tasks.jsonl", to_lines(out.tasks));
  if (!out.verdicts.empty()) store->write_artifact(base + ".verdicts.jsonl", to_lines(out.verdicts));
  if (out.is_consolidator) {
    store->write_artifact(base + ".proposals.jsonl", to_lines(out.consolidated.proposals));
    store->write_artifact(base + ".edits.jsonl", to_lines(out.consolidated.edits));
    store->write_artifact(base + ".report.json", to_json(out.consolidated.report));
  }
  // The marker names the parts it vouches for: a killed earlier attempt may have left more.
  store->write_artifact(base + ".done", format_iso8601(now_ms()) + "\n" + std::string(kPartsLine) +
                                            std::to_string(parts) + "\n");
}

bool load_stage_output(Store* store, const std::string& id, StageOutput& out) {
  const std::string base = base_of(id);
  const auto done = store ? store->read_artifact(base + ".done") : std::nullopt;
  if (!done) return false;
  read_digests(*store, id, base, *done, out.digests);
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
