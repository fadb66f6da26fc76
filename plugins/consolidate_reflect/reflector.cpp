#include "reflector.hpp"

#include <chrono>

#include "reflect_reply.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::reflect {
namespace {

constexpr const char* kSystem =
    "You are a careful optimizer of coding-agent instructions. You propose a few small, general, verifiable "
    "edits and reply with JSON only.";
constexpr const char* kRetry =
    "IMPORTANT: your previous reply was not valid JSON in the requested shape. Reply again with ONLY the JSON "
    "object {\"edits\":[...]} and nothing else.";

std::string safe_stage(std::string id) {
  for (char& c : id)
    if (c == '/') c = '~';
  return id;
}

}  // namespace

std::string Reflector::call(const ChatRequest& req, const std::string& cache_key, bool& cached) {
  cached = false;
  Store* store = ctx_.store();
  const bool persist = store && !store->night().night_id.empty();
  const std::string artifact = "consolidate/" + safe_stage(ctx_.stage_id()) + "/reflect-" + cache_key + ".txt";
  if (persist) {
    if (auto prev = store->read_artifact(artifact)) {
      cached = true;
      ++usage_.cached;
      ++usage_.calls;
      return *prev;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  ChatResponse resp = backend_.complete(req, ctx_);
  usage_.seconds["reflect"] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  usage_.tokens += resp.usage;
  usage_.cost_usd += resp.cost_usd;
  ++usage_.calls;
  if (resp.cached) ++usage_.cached;
  if (persist) store->write_artifact(artifact, resp.text);
  return resp.text;
}

ReflectOutcome Reflector::reflect(const PromptInput& input, const std::string& failed_tags,
                                  const std::string& documents) {
  ReflectOutcome out;
  const std::string target = input.target == EditTarget::kSkill ? "skill" : "memory";
  const std::string prompt = build_reflect_prompt(settings_.reflect_template, input);
  ChatRequest req;
  req.purpose = "reflect";
  req.temperature = 0.0;
  req.max_tokens = settings_.reflect_max_tokens;
  req.messages = {{"system", kSystem}, {"user", prompt}};
  req.meta = {{"purpose", "reflect"},
              {"target", target},
              {"failed_tags", failed_tags},
              {"documents", redact_secrets(documents)},
              {"edit_budget", std::to_string(input.edit_budget)}};
  const std::string key_base = backend_.identity() + "\n" + target + "\n" + failed_tags + "\n" + prompt;
  try {
    bool cached = false;
    std::string reply = call(req, sha256_hex(key_base).substr(0, 24), cached);
    ParsedReply parsed = parse_reflect_reply(reply, input.target, input.edit_budget);
    if (!parsed.ok) {
      out.notes.push_back(target + " reflection: " + parsed.error + "; asked once more");
      req.messages.push_back({"assistant", reply});
      req.messages.push_back({"user", kRetry});
      req.meta["retry"] = "1";
      reply = call(req, sha256_hex(key_base + "\nretry").substr(0, 24), cached);
      parsed = parse_reflect_reply(reply, input.target, input.edit_budget);
    }
    if (!parsed.ok) {
      out.failed = true;
      out.notes.push_back(target + " reflection: the retry was not usable either (" + parsed.error + "); no " + target +
                          " edits tonight");
      return out;
    }
    if (parsed.dropped > 0)
      out.notes.push_back(target + " reflection: " + std::to_string(parsed.dropped) +
                          " reply entries had no content and were ignored");
    out.edits = std::move(parsed.edits);
  } catch (const BudgetExceeded& e) {
    out.budget_stopped = true;
    out.notes.push_back(target + " reflection stopped by the budget: " + e.what());
  } catch (const HandoffPending&) {
    throw;  // the night waits for the user's answer; the host exits 4 and resumes later
  } catch (const std::exception& e) {
    out.failed = true;
    out.notes.push_back(target + " reflection call failed: " + e.what());
  }
  return out;
}

}  // namespace skillpipe::reflect
