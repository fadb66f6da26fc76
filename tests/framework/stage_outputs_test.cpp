// A finished stage's output saved in the night and read back on resume (host/stage_outputs),
// and a consumer's input lent from the upstream outputs (host/input_loan): a harvester's
// digests are written in parts while it runs and read back a part at a time, older nights
// still load, a lost part is a clear error, and a loan hands every record back.
#include <gtest/gtest.h>

#include <stdexcept>

#include "host/input_loan.hpp"
#include "host/stage_outputs.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/testing/memory_store.hpp"

namespace skillpipe::host {
namespace {

using skillpipe::testing::MemoryStore;

std::vector<SessionDigest> digests(const std::string& source, int n, std::size_t prompt_bytes) {
  std::vector<SessionDigest> out;
  for (int i = 0; i < n; ++i) {
    SessionDigest d;
    d.session_id = source + "-" + std::to_string(i);
    d.source = source;
    d.user_prompts = {std::string(prompt_bytes, static_cast<char>('a' + i % 26))};
    out.push_back(std::move(d));
  }
  return out;
}

// What a harvest stage leaves: its digests written through a DigestWriter, then the marker.
StageOutput harvested(Store* store, const std::string& id, const std::vector<SessionDigest>& ds) {
  DigestWriter writer(store, id);
  for (const auto& d : ds) writer.put(d);
  StageOutput out;
  out.digests = writer.close();
  out.digest_parts = writer.parts();
  persist_stage_output(store, id, out);
  return out;
}

std::vector<SessionDigest> walk(const DigestStream& s) {
  std::vector<SessionDigest> out;
  s.for_each([&](const SessionDigest& d) { out.push_back(d); });
  return out;
}

TEST(StageOutputs, ALargeDigestSetIsWrittenInPartsAsItComesAndReadBackWhole) {
  MemoryStore store;
  const auto ds = digests("claude", 40, 512 * 1024);  // about 20 MiB of JSON: three parts
  DigestWriter writer(&store, "claude");
  for (const auto& d : ds) writer.put(d);
  EXPECT_TRUE(store.read_artifact("stages/claude.part1.digests.jsonl")) << "full parts are written before the end";
  StageOutput out;
  out.digests = writer.close();
  out.digest_parts = writer.parts();
  persist_stage_output(&store, "claude", out);
  EXPECT_TRUE(store.read_artifact("stages/claude.digests.jsonl")) << "part 0 keeps the single-file name";
  EXPECT_TRUE(store.read_artifact("stages/claude.part2.digests.jsonl"));
  EXPECT_FALSE(store.read_artifact("stages/claude.part3.digests.jsonl"));
  EXPECT_LT(store.read_artifact("stages/claude.digests.jsonl")->size(), 8u << 20) << "a part never passes 8 MiB";
  StageOutput back;
  ASSERT_TRUE(load_stage_output(&store, "claude", back));
  ASSERT_TRUE(back.digests);
  EXPECT_EQ(back.digests->size(), 40u) << "the marker counts them: nothing is read to size the input";
  EXPECT_EQ(walk(*back.digests), ds);
  EXPECT_EQ(walk(*back.digests), ds) << "a stream can be walked again";
}

TEST(StageOutputs, WithoutAStoreTheDigestsStayInMemory) {
  const auto ds = digests("claude", 3, 8);
  const StageOutput out = harvested(nullptr, "claude", ds);
  ASSERT_TRUE(out.digests);
  EXPECT_EQ(walk(*out.digests), ds);
}

TEST(StageOutputs, TheMarkerNamesItsPartsSoALeftoverOfAKilledAttemptIsNotRead) {
  MemoryStore store;
  harvested(&store, "claude", digests("claude", 40, 512 * 1024));
  const auto small = digests("claude", 2, 16);
  harvested(&store, "claude", small);  // the rerun after a kill: part 2 is left over
  ASSERT_TRUE(store.read_artifact("stages/claude.part2.digests.jsonl"));
  StageOutput back;
  ASSERT_TRUE(load_stage_output(&store, "claude", back));
  EXPECT_EQ(walk(*back.digests), small);
  EXPECT_EQ(back.digests->size(), 2u);
}

TEST(StageOutputs, AnOlderNightsMarkerWithoutPartsStillLoads) {
  MemoryStore store;
  store.write_artifact("stages/mine.done", "2026-12-01T03:00:00.000Z\n");
  StageOutput none;
  ASSERT_TRUE(load_stage_output(&store, "mine", none)) << "a stage that had no digests wrote no file";
  EXPECT_FALSE(none.digests);
  const auto one = digests("codex", 3, 10);
  std::string text;
  for (const auto& d : one) text += to_json(d) + "\n";
  store.write_artifact("stages/codex.digests.jsonl", text);
  store.write_artifact("stages/codex.done", "2026-12-01T03:00:00.000Z\n");
  StageOutput back;
  ASSERT_TRUE(load_stage_output(&store, "codex", back));
  EXPECT_EQ(back.digests->size(), 3u) << "counted once, on load";
  EXPECT_EQ(walk(*back.digests), one);
}

TEST(StageOutputs, ALostPartIsAnErrorThatNamesItAndTheWayOut) {
  MemoryStore store;
  store.write_artifact("stages/claude.done", "2026-12-01T03:00:00.000Z\ndigest_parts 2\ndigests 2\n");
  store.write_artifact("stages/claude.digests.jsonl", to_json(digests("claude", 1, 4)[0]) + "\n");
  StageOutput back;
  ASSERT_TRUE(load_stage_output(&store, "claude", back));
  try {
    walk(*back.digests);
    FAIL() << "a missing part must not be read as fewer sessions";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stages/claude.part1.digests.jsonl is missing"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--restart"), std::string::npos) << e.what();
  }
}

ComponentSpec consumer(std::vector<std::string> inputs) {
  ComponentSpec s;
  s.id = "patterns";
  for (auto& in : inputs) s.inputs.emplace_back(std::move(in), Mark{});
  return s;
}

TEST(InputLoan, ChainsEveryUpstreamsDigestsOnceInInputOrderAndLendsTheTasks) {
  std::map<std::string, StageOutput> outputs;
  const auto claude = digests("claude", 3, 8), codex = digests("codex", 2, 8);
  outputs["claude"].digests = std::make_shared<DigestList>(claude);
  outputs["codex"].digests = std::make_shared<DigestList>(codex);
  outputs["mine"].tasks.resize(2);
  outputs["mine"].tasks[0].id = "t1";
  {
    InputLoan loan(outputs, consumer({"codex", "claude", "codex", "mine", "absent"}));
    const ConsolidateInput& in = loan.input();
    ASSERT_EQ(in.digests->size(), 5u) << "codex, listed twice, is read once";
    const auto all = walk(*in.digests);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[0], codex[0]);
    EXPECT_EQ(all[2], claude[0]);
    EXPECT_EQ(in.tasks.size(), 2u);
    EXPECT_TRUE(outputs["mine"].tasks.empty()) << "lent, not copied";
  }
  EXPECT_EQ(outputs["mine"].tasks.at(0).id, "t1");
  EXPECT_EQ(outputs["claude"].digests->size(), 3u);
}

TEST(InputLoan, AStageWithoutUpstreamDigestsGetsAnEmptyStream) {
  std::map<std::string, StageOutput> outputs;
  outputs["mine"].tasks.resize(1);
  InputLoan loan(outputs, consumer({"mine"}));
  ASSERT_TRUE(loan.input().digests);
  EXPECT_EQ(loan.input().digests->size(), 0u);
}

TEST(InputLoan, GivesTheRecordsBackWhenTheStageThrows) {
  std::map<std::string, StageOutput> outputs;
  outputs["mine"].tasks.resize(2);
  try {
    InputLoan loan(outputs, consumer({"mine"}));
    throw std::runtime_error("the stage failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(outputs["mine"].tasks.size(), 2u);
}

TEST(InputLoan, AnOutputIsFreedAfterItsLastReaderOnly) {
  std::map<std::string, StageOutput> outputs;
  outputs["claude"].digests = std::make_shared<DigestList>(digests("claude", 2, 8));
  outputs["drafts"].is_consolidator = true;
  outputs["drafts"].consolidated.proposals.resize(1);
  const std::map<std::string, std::size_t> last_reader{{"claude", 3}, {"drafts", 4}};
  release_read_inputs(outputs, consumer({"claude"}), last_reader, 2);
  ASSERT_TRUE(outputs["claude"].digests) << "stage 3 still reads claude";
  release_read_inputs(outputs, consumer({"claude"}), last_reader, 3);
  EXPECT_FALSE(outputs["claude"].digests);
  release_read_inputs(outputs, consumer({"drafts"}), last_reader, 4);
  EXPECT_EQ(outputs["drafts"].consolidated.proposals.size(), 1u) << "staging needs the proposals";
}

}  // namespace
}  // namespace skillpipe::host
