// The SDK's in-memory store (skillpipe/testing/memory_store.hpp) honours the Store lifecycle
// every store plugin is held to (skillpipe/testing/store_checks.hpp), and is safe to share
// between threads, as the evaluation service's workers share a store.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "host/basic_context.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "skillpipe/testing/store_checks.hpp"

using skillpipe::testing::MemoryStore;

TEST(MemoryStore, HonoursTheStoreLifecycle) {
  auto data = std::make_shared<MemoryStore::Data>();
  skillpipe::RunInfo run;
  run.project = "/memory/project";
  skillpipe::host::BasicContext ctx("store", run, nullptr);
  EXPECT_TRUE(skillpipe::testing::check_store_lifecycle([&] { return MemoryStore::sharing(data); }, ctx, run.project));
  EXPECT_EQ(MemoryStore::sharing(data)->adoption(), nullptr) << "an in-memory store cannot adopt";
}

TEST(MemoryStore, OneStageTestsGetAnOpenNightAndKeepStateAcrossNights) {
  MemoryStore store;
  EXPECT_EQ(store.night().night_id, "0001-test");
  store.put_state("k", "v");
  store.write_artifact("a.txt", "one");
  store.next_night("0002-test");
  EXPECT_EQ(store.night().night_id, "0002-test");
  EXPECT_EQ(store.get_state("k"), std::optional<std::string>("v"));
  EXPECT_FALSE(store.read_artifact("a.txt")) << "artifacts belong to their night";
  EXPECT_EQ(store.nights("/test/project").size(), 2u);
  EXPECT_TRUE(store.nights("/test/project")[0].published);
  MemoryStore none{"", ""};
  EXPECT_TRUE(none.night().night_id.empty());
  EXPECT_THROW(none.append("s", {"{}"}), skillpipe::Error);
}

TEST(MemoryStore, IsSafeToShareBetweenThreads) {
  MemoryStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string k = std::to_string(t) + "/" + std::to_string(i);
        store.put_state(k, k);
        store.cache_put(k, k);
        store.append("replays", {"{\"i\":" + std::to_string(i) + "}"});
        (void)store.cache_get(k);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.state().size(), 1600u);
  EXPECT_EQ(store.cache_size(), 1600u);
  EXPECT_EQ(store.read("replays").size(), 1600u);
  EXPECT_EQ(store.cache_hits(), 1600);
}
