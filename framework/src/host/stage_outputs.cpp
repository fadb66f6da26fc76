#include "host/stage_outputs.hpp"

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "skillpipe/errors.hpp"
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
// so neither the writer nor a reader holds more than one part as text.
constexpr std::size_t kDigestPartBytes = 8u << 20;
constexpr std::string_view kPartsLine = "digest_parts ";
constexpr std::string_view kCountLine = "digests ";

// Part 0 keeps the single-file name older nights have; part k is "<base>.part<k>.digests.jsonl".
std::string digest_part(const std::string& base, std::size_t k) {
  return base + (k == 0 ? "" : ".part" + std::to_string(k)) + ".digests.jsonl";
}

// A number the .done marker records after `key`; nullopt in a marker of an older night.
std::optional<std::size_t> marker_number(const std::string& done, std::string_view key) {
  std::size_t at = 0;
  for (; (at = done.find(key, at)) != std::string::npos; at += key.size())
    if (at == 0 || done[at - 1] == '\n')
      return static_cast<std::size_t>(std::strtoull(done.c_str() + at + key.size(), nullptr, 10));
  return std::nullopt;
}

// Calls fn on each digest line of one part's text.
void each_line(const std::string& text, const std::function<void(const SessionDigest&)>& fn) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + at, nl - at);
    at = nl + 1;
    if (!trim(line).empty()) fn(record_from_json<SessionDigest>(std::string(line)));
  }
}

// The digests a marker vouches for. A marker of an older night names no parts (its digests
// are one file, written only when the stage had any) and no count (counted here, once).
std::shared_ptr<const DigestStream> stored_digests(const Store& store, const std::string& id, const std::string& done) {
  const auto parts = marker_number(done, kPartsLine);
  const std::size_t n = parts ? *parts : store.read_artifact(digest_part(base_of(id), 0)) ? 1 : 0;
  if (n == 0) return nullptr;
  if (const auto count = marker_number(done, kCountLine)) return std::make_shared<StoredDigests>(store, id, n, *count);
  std::size_t count = 0;
  StoredDigests(store, id, n, 0).for_each([&](const SessionDigest&) { ++count; });
  return std::make_shared<StoredDigests>(store, id, n, count);
}

}  // namespace

StoredDigests::StoredDigests(const Store& store, std::string stage_id, std::size_t parts, std::size_t count)
    : store_(store), stage_id_(std::move(stage_id)), parts_(parts), count_(count) {}

void StoredDigests::for_each(const std::function<void(const SessionDigest&)>& fn) const {
  const std::string base = base_of(stage_id_);
  for (std::size_t k = 0; k < parts_; ++k) {
    const auto text = store_.read_artifact(digest_part(base, k));
    if (!text)
      throw Error("the night's saved output of stage '" + stage_id_ + "' is incomplete: artifacts/" +
                  digest_part(base, k) + " is missing although " + base +
                  ".done lists it; run the same command with --restart to start a new night");
    each_line(*text, fn);
  }
}

DigestWriter::DigestWriter(Store* store, std::string stage_id) : store_(store), stage_id_(std::move(stage_id)) {
  if (!store_) memory_ = std::make_shared<DigestList>();
}

void DigestWriter::put(SessionDigest digest) {
  ++count_;
  if (memory_) {
    memory_->put(std::move(digest));
    return;
  }
  std::string line = to_json(digest);
  // Sized once (an untouched reservation costs no resident memory): doubling held two buffers.
  if (text_.capacity() < kDigestPartBytes) text_.reserve(kDigestPartBytes);
  if (!text_.empty() && text_.size() + line.size() >= kDigestPartBytes) write_part();
  text_ += line;
  text_ += '\n';
}

void DigestWriter::write_part() {
  store_->write_artifact(digest_part(base_of(stage_id_), parts_++), text_);
  text_.clear();
}

std::shared_ptr<const DigestStream> DigestWriter::close() {
  if (memory_) return memory_;
  if (!text_.empty()) write_part();
  std::string().swap(text_);
  if (parts_ == 0) return nullptr;
  return std::make_shared<StoredDigests>(*store_, stage_id_, parts_, count_);
}

void persist_stage_output(Store* store, const std::string& id, const StageOutput& out) {
  if (!store) return;
  const std::string base = base_of(id);
  // A harvester's DigestWriter has written its parts already.
  const std::size_t parts = out.digest_parts;
  const std::size_t count = parts && out.digests ? out.digests->size() : 0;
  if (!out.tasks.empty()) store->write_artifact(base + ".tasks.jsonl", to_lines(out.tasks));
  if (!out.verdicts.empty()) store->write_artifact(base + ".verdicts.jsonl", to_lines(out.verdicts));
  if (out.is_consolidator) {
    store->write_artifact(base + ".proposals.jsonl", to_lines(out.consolidated.proposals));
    store->write_artifact(base + ".edits.jsonl", to_lines(out.consolidated.edits));
    store->write_artifact(base + ".report.json", to_json(out.consolidated.report));
  }
  // The marker names the parts it vouches for: a killed earlier attempt may have left more.
  store->write_artifact(base + ".done", format_iso8601(now_ms()) + "\n" + std::string(kPartsLine) +
                                            std::to_string(parts) + "\n" + std::string(kCountLine) +
                                            std::to_string(count) + "\n");
}

bool load_stage_output(Store* store, const std::string& id, StageOutput& out) {
  const std::string base = base_of(id);
  const auto done = store ? store->read_artifact(base + ".done") : std::nullopt;
  if (!done) return false;
  out.digests = stored_digests(*store, id, *done);
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
