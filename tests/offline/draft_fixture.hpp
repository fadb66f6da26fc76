// draft_fixture.hpp - consolidate_draft run on the offline history, and a scripted chat
// backend for its LLM drafter (draft_test.cpp, draft_llm_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <string>
#include <vector>

#include "offline_harness.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe::testing {

// A scripted chat backend: returns `reply` and records the prompts it was sent.
class ScriptedBackend : public Backend {
 public:
  explicit ScriptedBackend(std::string reply, bool fail = false, bool up = true)
      : reply_(std::move(reply)), fail_(fail), up_(up) {}
  bool available(std::string* why) const override {
    if (why) *why = up_ ? "" : "no LLM is configured";
    return up_;
  }
  std::string identity() const override { return "scripted:test"; }
  ChatResponse complete(const ChatRequest& r, Context&) override {
    ++calls;
    for (const auto& m : r.messages) prompts += m.content + "\n";
    if (fail_) throw RetryableError("HTTP 503 after 3 retries");
    ChatResponse resp;
    resp.text = reply_;
    resp.usage.input = 100;
    resp.usage.output = 50;
    return resp;
  }
  std::atomic<int> calls{0};
  std::string prompts;

 private:
  std::string reply_;
  bool fail_;
  bool up_;
};

class OfflineDrafts : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string project = tmp.file("shop");
  std::string user_root = tmp.file("home/.claude/skills");
  MemoryStore store{tmp.file("night")};
  OfflineNight night{project, store};
  std::vector<SessionDigest> history = load_digests(offline_data("history.jsonl"), project);

  std::string config(const std::string& extra = "") const {
    return R"({"claude_skill_roots": [")" + user_root + R"(", "{project}/.claude/skills"],
               "codex_skill_roots": [")" +
           tmp.file("home/.agents/skills") + R"("],
               "lifecycle": {"enabled": false})" +
           (extra.empty() ? "" : ", " + extra) + "}";
  }
  ConsolidateResult run(const std::vector<SessionDigest>& digests, const std::string& extra = "") {
    const auto tasks = night.mine(digests);
    return night.consolidate(digests, tasks, config(extra));
  }
  // A draft with its pattern id blanked: the id hashes the session's project, here a temp dir.
  static std::string golden_form(const std::string& text) {
    return std::regex_replace(text, std::regex("pat-[0-9a-f]{12}"), "pat-ID");
  }
  static bool note_has(const NightReport& r, const std::string& s) {
    return std::any_of(r.notes.begin(), r.notes.end(), [&](const auto& n) { return n.find(s) != std::string::npos; });
  }
};

}  // namespace skillpipe::testing
