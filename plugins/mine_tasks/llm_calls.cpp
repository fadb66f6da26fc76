// llm_calls.cpp - the miner's backend calls: mining sessions and paraphrasing (llm_miner.hpp).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "llm_miner.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {

std::vector<TaskRecord> mine_sessions_with_llm(const std::vector<const SessionDigest*>& ds, Backend& backend,
                                               const MinerOptions& o, std::size_t limit, Context& ctx) {
  std::vector<TaskRecord> out;
  int ok = 0, errors = 0;
  ctx.progress().set_total(static_cast<std::int64_t>(ds.size()));
  ctx.progress().set_unit("sessions");
  for (const auto* d : ds) {
    if (ctx.cancelled() || out.size() >= limit) break;
    ChatRequest req;
    for (auto& [role, content] : llm_mining_messages(*d)) req.messages.push_back({role, content});
    req.purpose = "mine";
    req.max_tokens = 800;
    req.meta = {{"purpose", "mine"}, {"session_id", d->session_id}};
    std::string reply;
    try {
      ctx.count("llm_calls");
      reply = backend.complete(req, ctx).text;
      ++ok;
    } catch (const BudgetExceeded& e) {
      ctx.logger().warn("LLM mining stopped by the budget: {}", e.what());
      ctx.count("llm_budget_stopped");
      break;
    } catch (const std::exception& e) {
      ++errors;
      ctx.count("llm_errors");
      ctx.logger().warn("LLM mining of session {} failed: {}", d->session_id, e.what());
      if (ok == 0 && errors >= 3) {
        ctx.logger().warn("giving up on LLM mining after {} failures and no success", errors);
        break;
      }
      continue;
    }
    ctx.progress().advance();
    LlmParse p = parse_llm_tasks(reply, *d, o);
    if (!p.readable) {
      ctx.count("llm_unparseable");
      ctx.logger().warn("session {}: the miner's reply holds no JSON array: \"{}\"", d->session_id,
                        truncate_utf8(trim(reply), 160));
    }
    if (p.dropped) ctx.count("llm_dropped", p.dropped);
    if (p.dropped_checks) ctx.count("llm_dropped_checks", p.dropped_checks);
    for (auto& t : p.tasks) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> paraphrase_with_llm(const TaskRecord& t, int n, Backend& backend, Context& ctx,
                                             bool* budget_stop) {
  ChatRequest req;
  req.purpose = "mine";
  req.max_tokens = 600;
  req.meta = {{"purpose", "mine"}, {"task_id", t.id}, {"kind", "paraphrase"}};
  req.messages = {{"system", "You rephrase requests. Keep every requirement, name and constraint; change only the wording. "
                             "Reply with ONLY a JSON array of strings."},
                  {"user", "Rewrite this request " + std::to_string(n) +
                               " different ways, as the same user might ask it on another day:\n\n" + redact_secrets(t.intent)}};
  try {
    const std::string reply = backend.complete(req, ctx).text;
    std::vector<std::string> out;
    for (const auto& s : json_string_array(first_json_array(reply, "paraphrases")))
      if (s.size() >= 8 && s != t.intent && std::find(out.begin(), out.end(), s) == out.end() &&
          static_cast<int>(out.size()) < n)
        out.push_back(s);
    if (out.empty()) ctx.count("dream_llm_unparseable");
    return out;
  } catch (const BudgetExceeded& e) {
    ctx.logger().warn("dream paraphrasing stopped by the budget: {}", e.what());
    *budget_stop = true;
  } catch (const std::exception& e) {
    ctx.count("dream_llm_errors");
    ctx.logger().warn("paraphrasing task {} failed: {}", t.id, e.what());
  }
  return {};
}

}  // namespace skillpipe::mine_tasks
