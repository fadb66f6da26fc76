// backend_handoff - for users with an agent subscription but no API key.
//
// A call whose answer is in answers/<id>.md returns it. Any other call is written to
// PROMPTS.md and pending.json in the night's folder and throws HandoffPending, which the
// host turns into a clean stop with its own exit code; running the same command again
// resumes the night (the store keeps its records) and picks the answers up. Several rounds
// may be needed, since answers unlock the prompts that depend on them.
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "handoff_files.hpp"
#include "request_text.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "backend_handoff",
  "description": "Hands prompts to the user (PROMPTS.md + pending.json) and reads answers from answers/<id>.md on resume.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "dir": {"type": "string", "description": "folder for the hand-off files (default: the night's folder)"},
    "resume_hint": {"type": "string", "description": "how to resume, shown in PROMPTS.md (default: run the same skillpipe command again)"},
    "on_prompt_change": {"default": "error", "enum": ["error", "warn"],
      "description": "when a resumed night asks a different prompt for the same task, purpose, variant and sample"}
  }
})JSON";

std::string meta_get(const ChatRequest& r, const char* key) {
  auto it = r.meta.find(key);
  return it == r.meta.end() ? std::string() : it->second;
}

class HandoffBackend final : public Backend {
 public:
  void configure(const Config& c, Context& ctx) override {
    if (c.has("dir")) {
      dir_ = expand_path(c.get_string("dir"));
      if (!dir_.empty() && dir_[0] != '/' && !ctx.run().pipeline_dir.empty()) dir_ = ctx.run().pipeline_dir + "/" + dir_;
    }
    resume_hint_ = c.get_string("resume_hint", "run the same skillpipe command again (the night resumes)");
    strict_ = c.get_string("on_prompt_change", "error") == "error";
  }

  bool available(std::string* why) const override {
    if (why) why->clear();
    return true;
  }
  std::string identity() const override { return "handoff"; }
  bool paid() const override { return false; }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    e.tokens_in = backend_common::estimate_prompt_tokens(request.messages);
    return e;
  }

  ChatResponse complete(const ChatRequest& request, Context& ctx) override {
    std::int64_t redactions = 0;
    auto messages = backend_common::redact_messages(request.messages, &redactions);
    if (redactions > 0) ctx.count("redactions", redactions);
    // The marker makes a session that pastes this prompt into an agent skippable by harvesters.
    const std::string prompt = std::string(backend_common::kReplayMarker) + "\n" + backend_common::flatten_prompt(messages);
    backend_handoff::PendingPrompt p;
    p.sha256 = backend_handoff::prompt_sha256(prompt, request.sample);
    p.id = p.sha256.substr(0, 16);
    p.purpose = request.purpose.empty() ? meta_get(request, "purpose") : request.purpose;
    p.task_id = meta_get(request, "task_id");
    p.variant = meta_get(request, "variant");
    p.sample = request.sample;
    p.prompt = prompt;
    if (!p.task_id.empty()) {
      p.pin_key = p.purpose + "|" + p.task_id + "|" + p.variant + "|" + std::to_string(p.sample);
    }

    std::lock_guard<std::mutex> lk(mu_);
    backend_handoff::HandoffFolder& folder = open_folder(ctx);
    check_pin(p, ctx);
    if (auto answer = folder.answer(p.id)) {
      ChatResponse r;
      r.text = *answer;
      r.usage.input = backend_common::estimate_prompt_tokens(messages);
      r.usage.output = backend_common::estimate_tokens(r.text);
      r.model = "handoff";
      r.finish_reason = "stop";
      ctx.count("handoff_answers");
      return r;
    }
    if (!by_id_.count(p.id)) {
      by_id_[p.id] = prompts_.size();
      if (!p.pin_key.empty()) by_pin_[p.pin_key] = p.id;
      prompts_.push_back(p);
    }
    std::vector<std::string> open = folder.write(prompts_, resume_hint_);
    ctx.count("handoff_pending");
    throw HandoffPending(std::to_string(open.size()) + " prompt(s) wait for answers: see " + folder.dir() +
                             "/PROMPTS.md. Write each answer to " + folder.dir() +
                             "/answers/<id>.md, then " + resume_hint_ + ".",
                         folder.dir(), open);
  }

 private:
  backend_handoff::HandoffFolder& open_folder(Context& ctx) {
    std::string dir = dir_;
    if (dir.empty()) {
      Store* store = ctx.store();
      if (!store || store->night().dir.empty()) {
        throw Error("backend_handoff needs a folder for its prompts: configure `dir`, or run it in a pipeline "
                    "whose store has opened a night");
      }
      dir = store->night().dir;
    }
    if (!folder_ || folder_->dir() != dir) {
      folder_ = std::make_unique<backend_handoff::HandoffFolder>(dir);
      prompts_ = folder_->load();  // verifies every pin
      by_id_.clear();
      by_pin_.clear();
      for (std::size_t i = 0; i < prompts_.size(); ++i) {
        by_id_[prompts_[i].id] = i;
        if (!prompts_[i].pin_key.empty()) by_pin_[prompts_[i].pin_key] = prompts_[i].id;
      }
    }
    return *folder_;
  }

  // The same task, purpose, variant and sample must ask the same prompt as when it was
  // handed off; otherwise the night's inputs changed under a pending answer.
  void check_pin(const backend_handoff::PendingPrompt& p, Context& ctx) {
    if (p.pin_key.empty()) return;
    auto it = by_pin_.find(p.pin_key);
    if (it == by_pin_.end() || it->second == p.id) return;
    std::string msg = "backend_handoff: the " + (p.purpose.empty() ? std::string("request") : p.purpose) +
                      " prompt for task " + p.task_id + " (variant '" + p.variant + "', sample " +
                      std::to_string(p.sample) + ") changed since it was handed off as " + it->second + " (now " +
                      p.id + "): the night's skill, memory or tasks changed. Restore them, or delete " +
                      folder_->dir() + "/pending.json to hand the prompts off again";
    if (strict_) throw Error(msg);
    ctx.logger().warn("{}", msg);
    by_pin_[p.pin_key] = p.id;
  }

  std::string dir_;
  std::string resume_hint_;
  bool strict_ = true;
  std::mutex mu_;
  std::unique_ptr<backend_handoff::HandoffFolder> folder_;
  std::vector<backend_handoff::PendingPrompt> prompts_;
  std::map<std::string, std::size_t> by_id_;
  std::map<std::string, std::string> by_pin_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Hand-off backend: prompts go to PROMPTS.md, answers come back from answers/<id>.md on resume",
                 skillpipe::kSchemaJson,
                 [] { return std::make_unique<skillpipe::HandoffBackend>(); });
