// mine_patterns - the offline miner: recurring successful work as patterns, no LLM needed.
//
// Each night: judge every digest (session_judge.hpp; unknown sessions are not evidence),
// add the judged sessions to the project's patterns in the store (similar requests and
// similar work: normalized request words plus the steps and files of the session), and emit
// one task record per pattern with its readiness, counts, the successes' common procedure
// (procedure.hpp), a verb-object label (request_text.hpp) and redacted evidence.
// consolidate_draft turns the ready ones into skill drafts.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>

#include "pattern_builder.hpp"
#include "pattern_state.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "mine_patterns",
  "description": "Offline miner: clusters successful recurring sessions into patterns kept across nights.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "min_task_count": {"type": "integer", "minimum": 1,
      "description": "Successful sessions a pattern needs to be ready (default 2)."},
    "min_success_ratio": {"type": "number", "minimum": 0, "maximum": 1,
      "description": "Minimum successes / (successes + failures) for a ready pattern (default 0.7)."},
    "similarity_threshold": {"type": "number", "minimum": 0.05, "maximum": 1,
      "description": "Jaccard similarity of two sessions' request words (or of their words and command steps together) that puts them in one pattern (default 0.5)."},
    "max_tool_errors": {"type": "integer", "minimum": 0,
      "description": "Without praise at the end, more tool errors than this make a session a failure (default 3)."},
    "min_intent_tokens": {"type": "integer", "minimum": 1,
      "description": "Words a prompt needs to count as a task rather than a continuation (default 2)."},
    "max_members": {"type": "integer", "minimum": 2,
      "description": "Sessions kept per pattern; older ones are dropped (default 50)."},
    "max_patterns": {"type": "integer", "minimum": 1,
      "description": "Patterns kept per project; the least recently updated are dropped (default 500)."},
    "max_evidence": {"type": "integer", "minimum": 1,
      "description": "Evidence excerpts per pattern task (default 5)."},
    "excerpt_chars": {"type": "integer", "minimum": 40, "maximum": 4000,
      "description": "Bytes kept of each answer excerpt (default 400)."},
    "emit": {"default": "with_success", "enum": ["ready", "with_success", "all"],
      "description": "Which patterns become task records: only ready ones, those with a success (default), or all."},
    "state_key": {"type": "string", "minLength": 1,
      "description": "Store state key of the pattern state (default offline/patterns)."}
  }
})";

class MinePatterns final : public Miner {
 public:
  void configure(const Config& c, Context&) override {
    o_.min_task_count = static_cast<int>(c.get_int("min_task_count", 2));
    o_.min_success_ratio = c.get_double("min_success_ratio", 0.7);
    o_.similarity_threshold = c.get_double("similarity_threshold", 0.5);
    o_.judge.max_tool_errors = static_cast<int>(c.get_int("max_tool_errors", 3));
    o_.judge.min_intent_tokens = static_cast<int>(c.get_int("min_intent_tokens", 2));
    o_.max_members = static_cast<std::size_t>(c.get_int("max_members", 50));
    o_.max_patterns = static_cast<std::size_t>(c.get_int("max_patterns", 500));
    o_.max_evidence = static_cast<std::size_t>(c.get_int("max_evidence", 5));
    o_.result_chars = static_cast<std::size_t>(c.get_int("excerpt_chars", 400));
    emit_ = c.get_string("emit", "with_success");
    key_ = c.get_string("state_key", mine_patterns::kStateKey);
    if (o_.min_success_ratio < 0 || o_.min_success_ratio > 1)
      throw ConfigError("min_success_ratio must be between 0 and 1", "/min_success_ratio");
    if (o_.min_task_count < 1) throw ConfigError("min_task_count must be at least 1", "/min_task_count");
  }

  std::vector<TaskRecord> mine(const DigestStream& digests, Context& ctx) override {
    auto& log = ctx.logger();
    Store* store = ctx.store();
    mine_patterns::PatternState state = load_state(store, ctx);

    // The latest digest of each session wins (a session may be harvested again as it grows).
    // Each digest is judged as it streams by; only its member (small) is kept.
    struct Judged {
      Outcome outcome = Outcome::kUnknown;
      std::string reason;
      std::optional<mine_patterns::Member> member;
    };
    std::map<std::string, Judged> latest;
    digests.for_each([&](const SessionDigest& d) {
      const SessionJudgement j = judge_session(d, o_.judge);
      Judged& slot = latest[d.session_id];
      slot = {j.outcome, j.reason, std::nullopt};
      if (j.outcome != Outcome::kUnknown) slot.member = mine_patterns::member_from(d, j, o_);
    });
    std::vector<mine_patterns::Member> members;
    members.reserve(latest.size());  // a first night has thousands: no doubling on the way
    for (auto& [id, j] : latest) {
      ctx.count(j.outcome == Outcome::kSuccess ? "sessions_success"
                : j.outcome == Outcome::kFail  ? "sessions_fail"
                                               : "sessions_unknown");
      if (j.outcome == Outcome::kUnknown) log.debug("session {}: outcome unknown ({}), not evidence", id, j.reason);
      else members.push_back(std::move(*j.member));
    }
    latest.clear();
    const std::size_t before = state.patterns.size();
    const auto touched = mine_patterns::absorb(state, std::move(members), o_, format_iso8601_s(now_ms()));
    ctx.count("patterns_new",
              static_cast<std::int64_t>(state.patterns.size() - std::min(before, state.patterns.size())));
    if (store) store->put_state(key_, mine_patterns::state_to_json(state));

    std::vector<TaskRecord> out;
    for (const auto& p : state.patterns) {
      const auto r = mine_patterns::readiness(p, o_);
      if (emit_ == "ready" && !r.ready) continue;
      if (emit_ == "with_success" && r.successes == 0) continue;
      const auto it = touched.find(p.id);
      out.push_back(mine_patterns::pattern_task(p, o_, it == touched.end() ? 0 : it->second));
      ctx.count(r.ready ? "patterns_ready" : "patterns_not_ready");
    }
    std::stable_sort(out.begin(), out.end(), [](const TaskRecord& a, const TaskRecord& b) {
      if (a.pattern->ready != b.pattern->ready) return a.pattern->ready;
      return a.pattern->successes > b.pattern->successes;
    });
    log.info("{} digests -> {} patterns ({} emitted, {} ready)", digests.size(), state.patterns.size(), out.size(),
             std::count_if(out.begin(), out.end(), [](const TaskRecord& t) { return t.pattern->ready; }));
    return out;
  }

 private:
  mine_patterns::PatternState load_state(Store* store, Context& ctx) {
    if (!store) {
      ctx.logger().warn("no store configured: patterns cannot grow across nights");
      return {};
    }
    const auto text = store->get_state(key_);
    if (!text || text->empty()) return {};
    try {
      return mine_patterns::parse_state(*text);
    } catch (const Error& e) {
      // Keep the unreadable state for inspection rather than overwriting it silently.
      store->put_state(key_ + ".corrupt", *text);
      ctx.logger().warn("{}; starting from no patterns (the old state is kept under '{}.corrupt')", e.what(), key_);
      ctx.count("state_reset");
      return {};
    }
  }

  mine_patterns::MinerOptions o_;
  std::string emit_ = "with_success";
  std::string key_ = mine_patterns::kStateKey;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kMiner, "1.0.0",
                 "Offline patterns: judges sessions, clusters recurring successful work across nights",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::MinePatterns); });
