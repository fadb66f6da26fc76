#include "reflector.hpp"

#include <chrono>

#include "reflect_reply.hpp"
#include "text_util.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::consolidate_reflect {
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

std::string Reflector::artifact_of(const std::string& cache_key) const {
  return "consolidate/" + safe_stage(ctx_.stage_id()) + "/reflect-" + cache_key + ".txt";
}

void Reflector::keep(const std::string& cache_key, const std::string& reply) {
  Store* store = ctx_.store();
  if (store && !store->night().night_id.empty()) store->write_artifact(artifact_of(cache_key), reply);
}

std::string Reflector::call(const ChatRequest& req, const std::string& cache_key, bool& cached) {
  cached = false;
  Store* store = ctx_.store();
  const bool persist = store && !store->night().night_id.empty();
  const std::string artifact = artifact_of(cache_key);
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
  return resp.text;  // kept (keep()) only once a usable reply came back, so a resume re-asks
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
              {"edit_budget", std::to_string(input.edit_budget)},
              {"rejected", redact_secrets(join(input.rejected, "\n"))}};
  const std::string key_base = backend_.identity() + "\n" + target + "\n" + failed_tags + "\n" + prompt;
  try {
    bool cached = false;
    const std::string key = sha256_hex(key_base).substr(0, 24), retry_key = sha256_hex(key_base + "\nretry").substr(0, 24);
    const std::string first = call(req, key, cached);
    std::string reply = first;
    ParsedReply parsed = parse_reflect_reply(reply, input.target, input.edit_budget);
    if (parsed.ok) keep(key, first);
    if (!parsed.ok) {
      out.notes.push_back(target + " reflection: " + parsed.error + "; asked once more");
      req.messages.push_back({"assistant", reply});
      req.messages.push_back({"user", kRetry});
      req.meta["retry"] = "1";
      reply = call(req, retry_key, cached);
      parsed = parse_reflect_reply(reply, input.target, input.edit_budget);
      if (parsed.ok) {
        keep(key, first);
        keep(retry_key, reply);
      }
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

}  // namespace skillpipe::consolidate_reflect
