// backend_handoff: prompts handed off to files, answers picked up on resume, pins that stop
// a resumed night from silently asking something else.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "backend_env.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

ChatRequest task_request(const std::string& task, const std::string& prompt, int sample = 0) {
  ChatRequest r = user_request(prompt);
  r.sample = sample;
  r.meta = {{"task_id", task}, {"purpose", "replay"}, {"variant", "baseline"}};
  return r;
}

class BackendsHandoff : public ::testing::Test {
 protected:
  BackendsHandoff() { env_.store().next_night("0003-test", night_.path()); }

  // Calls and expects HandoffPending; returns it.
  HandoffPending pending(Backend& b, const ChatRequest& r) {
    try {
      b.complete(r, env_.ctx());
    } catch (const HandoffPending& e) {
      return e;
    }
    ADD_FAILURE() << "expected HandoffPending";
    return HandoffPending("", "", {});
  }

  TempDir night_;
  BackendEnv env_{"handoff"};
};

TEST_F(BackendsHandoff, UnansweredPromptsAreWrittenAndStopTheNight) {
  auto b = env_.make("backend_handoff", "{}");
  HandoffPending first = pending(*b, task_request("t1", "Give the arXiv id of SkillOpt."));
  ASSERT_EQ(first.pending_ids().size(), 1u);
  EXPECT_EQ(first.dir(), night_.path());
  HandoffPending second = pending(*b, task_request("t2", "Write a commit subject."));
  ASSERT_EQ(second.pending_ids().size(), 2u) << "every pending prompt of the round is listed";
  EXPECT_NE(std::string(second.what()).find("PROMPTS.md"), std::string::npos);
  const Error& as_error = second;  // the host catches it as an Error subclass
  EXPECT_NE(std::string(as_error.what()).find("answers/"), std::string::npos);
  EXPECT_EQ(kHandoffExitCode, 4);

  std::string md = read_text(night_.file("PROMPTS.md"));
  for (const auto& id : second.pending_ids()) EXPECT_NE(md.find("answers/" + id + ".md"), std::string::npos) << md;
  EXPECT_NE(md.find("[skillpipe-replay]\nGive the arXiv id of SkillOpt."), std::string::npos) << md;
  std::string json = read_text(night_.file("pending.json"));
  EXPECT_NE(json.find("skillpipe.handoff.v1"), std::string::npos);
  EXPECT_NE(json.find("\"task_id\": \"t2\""), std::string::npos) << json;
  EXPECT_TRUE(std::filesystem::is_directory(night_.file("answers")));
}

TEST_F(BackendsHandoff, AnswersArePickedUpOnResume) {
  std::string id1, id2;
  {
    auto b = env_.make("backend_handoff", "{}");
    id1 = pending(*b, task_request("t1", "first question")).pending_ids().at(0);
    id2 = pending(*b, task_request("t2", "second question")).pending_ids().at(1);
  }
  write_text(night_.file("answers/" + id1 + ".md"), "first answer\n\n");
  write_text(night_.file("answers/" + id2 + ".md"), "   \n");  // blank: not answered yet

  auto resumed = env_.make("backend_handoff", "{}");
  ChatResponse r = resumed->complete(task_request("t1", "first question"), env_.ctx());
  EXPECT_EQ(r.text, "first answer");
  EXPECT_FALSE(r.cached);
  HandoffPending still = pending(*resumed, task_request("t2", "second question"));
  ASSERT_EQ(still.pending_ids().size(), 1u);
  EXPECT_EQ(still.pending_ids()[0], id2);
  std::string md = read_text(night_.file("PROMPTS.md"));
  EXPECT_EQ(md.find("first question"), std::string::npos) << "answered prompts leave PROMPTS.md";
  EXPECT_NE(md.find("second question"), std::string::npos);
}

TEST_F(BackendsHandoff, SamplesAreSeparatePrompts) {
  auto b = env_.make("backend_handoff", "{}");
  pending(*b, task_request("t1", "same", 0));
  HandoffPending e = pending(*b, task_request("t1", "same", 1));
  ASSERT_EQ(e.pending_ids().size(), 2u);
  EXPECT_NE(e.pending_ids()[0], e.pending_ids()[1]);
}

TEST_F(BackendsHandoff, EditedPendingListIsRefused) {
  {
    auto b = env_.make("backend_handoff", "{}");
    pending(*b, task_request("t1", "the original prompt"));
  }
  std::string json = read_text(night_.file("pending.json"));
  auto at = json.find("the original prompt");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 19, "a different prompt!");
  write_text(night_.file("pending.json"), json);
  auto resumed = env_.make("backend_handoff", "{}");
  try {
    resumed->complete(task_request("t9", "anything"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const HandoffPending&) {
    FAIL() << "an edited pending list must not be accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pinned"), std::string::npos) << e.what();
  }
}

TEST_F(BackendsHandoff, ResumedNightCannotSilentlyChangeAPrompt) {
  {
    auto b = env_.make("backend_handoff", "{}");
    pending(*b, task_request("t1", "skill v1: answer the question"));
  }
  auto resumed = env_.make("backend_handoff", "{}");
  try {
    resumed->complete(task_request("t1", "skill v2: answer the question"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const HandoffPending&) {
    FAIL() << "a changed prompt for the same task must not be handed off silently";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("changed since it was handed off"), std::string::npos) << e.what();
  }
  auto lenient = env_.make("backend_handoff", R"({"on_prompt_change":"warn"})");
  EXPECT_THROW(lenient->complete(task_request("t1", "skill v2: answer the question"), env_.ctx()), HandoffPending);
  EXPECT_NE(env_.log().find("changed since it was handed off"), std::string::npos);
}

TEST_F(BackendsHandoff, SecretsNeverReachTheFiles) {
  auto b = env_.make("backend_handoff", "{}");
  pending(*b, task_request("t1", "deploy with ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 now"));
  for (const char* f : {"PROMPTS.md", "pending.json"}) {
    std::string text = read_text(night_.file(f));
    EXPECT_EQ(text.find("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), std::string::npos) << f;
    EXPECT_NE(text.find("[REDACTED:"), std::string::npos) << f;
  }
}

TEST_F(BackendsHandoff, ConfiguredFolderOrAnOpenNightIsNeeded) {
  TempDir other;
  BackendEnv no_night("handoff");
  auto b = no_night.make("backend_handoff", R"({"dir":")" + other.path() + R"("})");
  EXPECT_THROW(b->complete(task_request("t1", "q"), no_night.ctx()), HandoffPending);
  EXPECT_TRUE(std::filesystem::exists(other.file("PROMPTS.md")));
  auto nowhere = no_night.make("backend_handoff", "{}");
  try {
    nowhere->complete(task_request("t1", "q"), no_night.ctx());
    FAIL() << "expected an error";
  } catch (const HandoffPending&) {
    FAIL() << "nowhere to write prompts";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace skillpipe::testing
