// miner_fixture.hpp - a loaded mine_tasks plugin with a scripted backend and an in-memory
// store, plus digest and task-file builders.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>

#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "test_doubles.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {

inline SessionDigest session(const std::string& id, const std::string& first_prompt, const std::string& started_at,
                             std::vector<std::string> more_prompts = {}, const std::string& project = "/src/app") {
  SessionDigest d;
  d.session_id = id;
  d.source = "claude";
  d.project = project;
  d.started_at = started_at;
  d.ended_at = started_at;
  d.user_prompts = {first_prompt};
  for (auto& p : more_prompts) d.user_prompts.push_back(std::move(p));
  d.n_user_turns = static_cast<int>(d.user_prompts.size());
  d.assistant_finals = {"Done: " + first_prompt};
  return d;
}

inline FeedbackSignal feedback(int turn, const std::string& polarity, const std::string& phrase) {
  FeedbackSignal f;
  f.turn = turn;
  f.polarity = polarity;
  f.phrase = phrase;
  return f;
}

inline TaskRecord file_task(const std::string& id, const std::string& intent) {
  TaskRecord t;
  t.id = id;
  t.intent = intent;
  t.project = "/src/app";
  return t;
}

inline const TaskRecord* find_task(const std::vector<TaskRecord>& v, const std::string& id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const TaskRecord& t) { return t.id == id; });
  return it == v.end() ? nullptr : &*it;
}

class MineTasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    svc_.backends["llm"] = &backend_;
    svc_.store = &store_;
  }
  // A fresh miner (as a new night would load it), configured with `cfg`.
  void configure(const std::string& cfg, std::vector<std::string> input_judges = {}) {
    miner_.reset();
    ctx_ = std::make_unique<host::BasicContext>("mine", run_, &svc_, std::move(input_judges));
    miner_ = reg_->create_as<Miner>("mine_tasks");
    miner_->configure(Config::parse(cfg), *ctx_);
  }
  std::vector<TaskRecord> mine(const std::vector<SessionDigest>& digests) {
    auto out = miner_->mine(DigestList(digests), *ctx_);
    miner_->finish(*ctx_);
    return out;
  }
  // The ConfigError mining with no digests raises ("" and a test failure when none is raised).
  std::string config_error() {
    try {
      mine({});
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected ConfigError";
    return {};
  }
  std::int64_t count(const std::string& key) {
    auto c = ctx_->counts();
    auto it = c.find(key);
    return it == c.end() ? 0 : it->second;
  }
  std::string write_tasks(const std::vector<TaskRecord>& tasks, bool reviewed, const std::string& name = "tasks.jsonl") {
    write_text(tmp_.file(name), task_file_text(tasks, {}, reviewed));
    return tmp_.file(name);
  }

  ScriptedBackend backend_;
  MemoryStore store_{"", ""};  // state only, no night open
  TempDir tmp_;
  std::unique_ptr<host::PluginRegistry> reg_ = make_registry();
  host::Services svc_;
  RunInfo run_;
  std::unique_ptr<host::BasicContext> ctx_;
  std::shared_ptr<Miner> miner_;
};

}  // namespace skillpipe::testing
