// stage_outputs.hpp - a finished stage's output saved in the night, and read back on resume.
//
// Each stage's output is written as artifacts under stages/<id>.*; the `.done` marker is
// written last, so its presence is what a resumed night trusts.
//
// A harvester's digests are written while it runs, in parts of about 8 MiB, and read back a
// part at a time by each stage that takes them: a first night over a large history never
// holds its digests in memory.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "host/stage_drivers.hpp"

namespace skillpipe {
class Store;
}

namespace skillpipe::host {

// A stage's digests saved in the night: `parts` artifacts of JSON lines, read one part at a
// time by each walk.
class StoredDigests final : public DigestStream {
 public:
  StoredDigests(const Store& store, std::string stage_id, std::size_t parts, std::size_t count);
  std::size_t size() const override { return count_; }
  void for_each(const std::function<void(const SessionDigest&)>& fn) const override;

 private:
  const Store& store_;
  std::string stage_id_;
  std::size_t parts_, count_;
};

// Where a harvester's digests go as they come: parts of the night's store, or memory when
// the run has no store. close() writes the last part and returns them as a stream.
class DigestWriter final : public DigestSink {
 public:
  DigestWriter(Store* store, std::string stage_id);
  void put(SessionDigest digest) override;
  std::shared_ptr<const DigestStream> close();
  std::size_t parts() const { return parts_; }  // written to the store so far (0 without one)

 private:
  void write_part();
  Store* store_;
  std::string stage_id_;
  std::string text_;
  std::size_t parts_ = 0, count_ = 0;
  std::shared_ptr<DigestList> memory_;
};

void persist_stage_output(Store* store, const std::string& stage_id, const StageOutput& out);
// False when the stage has not finished in this night (or there is no store).
bool load_stage_output(Store* store, const std::string& stage_id, StageOutput& out);

}  // namespace skillpipe::host
