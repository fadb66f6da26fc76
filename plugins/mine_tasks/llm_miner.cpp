// llm_miner.cpp - the LLM miner's prompt and defensive reply parsing (llm_miner.hpp).
#include "llm_miner.hpp"

#include "agentic_checks.hpp"

#include "skillpipe/kit/reply_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>

#include "heuristic_miner.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/rules.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::mine_tasks {
namespace {

using Value = rapidjson::Value;

const char* const kSystem =
    "You study an AI coding agent's session with a user and extract the REUSABLE tasks in it: requests this user is "
    "likely to make again, generalized so they recur (no one-off file names, ids or paths unless they are the point). "
    "For each task give a one-sentence rubric saying what a correct answer must do, and add rule checks only for hard "
    "requirements the user stated (a length limit, a required section, a tool that must be used). "
    "Reply with ONLY a JSON array, no prose.";

const char* const kFormat =
    "Return a JSON array of 0 to 3 tasks. Each task is an object:\n"
    "{\"intent\": \"<the generalized request, as the user would ask it>\",\n"
    " \"rubric\": \"<one sentence: what a correct answer must do>\",\n"
    " \"checks\": [{\"op\": \"<op>\", \"arg\": \"<text or number>\"}],\n"
    " \"satisfied\": <true if the user ended satisfied with the agent's answer, else false>}\n"
    "Check ops: contains, not_contains, regex, no_refusal, tool_called; for format only: section_present, "
    "section_contains, max_chars, min_chars, max_words, min_words (arg a number).\n"
    "Return [] when the session holds no reusable task.";

std::string text_of(const Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsNumber()) {
    const double d = v.GetDouble();
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    return std::to_string(d);
  }
  return {};
}

std::string to_text(const Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// One check as the model wrote it, cleaned; nullopt when it cannot be used.
std::optional<RuleCheck> clean_check(const Value& v, int depth) {
  if (!v.IsObject() || depth > 3) return std::nullopt;
  auto op = v.FindMember("op");
  if (op == v.MemberEnd() || !op->value.IsString()) return std::nullopt;
  RuleCheck c;
  const auto known = parse_rule_op(trim(std::string_view(op->value.GetString(), op->value.GetStringLength())));
  if (!known) return std::nullopt;
  c.op = *known;
  if (auto a = v.FindMember("arg"); a != v.MemberEnd()) {
    if (a->value.IsBool() && c.op != RuleOp::kJsonFieldEquals) return std::nullopt;  // a bound of `true` is a model error
    c.arg = text_of(a->value);
  }
  if (auto a = v.FindMember("arg2"); a != v.MemberEnd()) c.arg2 = a->value.IsString() ? text_of(a->value) : to_text(a->value);
  if (auto a = v.FindMember("case_insensitive"); a != v.MemberEnd() && a->value.IsBool()) c.case_insensitive = a->value.GetBool();
  if (c.op != RuleOp::kRegex && c.op != RuleOp::kNotRegex) c.arg = trim(c.arg);
  if (c.op == RuleOp::kNoRefusal) c.arg.clear();
  if (c.op == RuleOp::kAnyOf || c.op == RuleOp::kAllOf || c.op == RuleOp::kNoneOf) {
    auto kids = v.FindMember("children");
    if (kids == v.MemberEnd()) kids = v.FindMember("checks");
    if (kids == v.MemberEnd() || !kids->value.IsArray()) return std::nullopt;
    for (const auto& k : kids->value.GetArray())
      if (auto ck = clean_check(k, depth + 1)) c.children.push_back(std::move(*ck));
    if (c.children.empty()) return std::nullopt;
  }
  if (!rules::validate_checks({c}).errors.empty()) return std::nullopt;  // bad regex, bad bound, missing arg
  return c;
}

}  // namespace

std::string first_json_array(const std::string& text, const char* object_key) {
  int tries = 0;
  for (std::size_t i = text.find_first_of("[{"); i != std::string::npos && tries < 64;
       i = text.find_first_of("[{", i + 1), ++tries) {
    auto cand = balanced_json_at(text, i);
    if (!cand) continue;
    rapidjson::Document d;
    if (skillpipe::detail::parse_json(d, *cand)) continue;
    if (d.IsArray()) return std::string(*cand);
    if (object_key && d.IsObject() && d.HasMember(object_key) && d[object_key].IsArray()) return to_text(d[object_key]);
  }
  return {};
}

std::vector<std::string> json_string_array(const std::string& json_array) {
  std::vector<std::string> out;
  rapidjson::Document d;
  if (skillpipe::detail::parse_json(d, json_array) || !d.IsArray()) return out;
  for (const auto& v : d.GetArray())
    if (v.IsString()) {
      std::string s = trim(std::string_view(v.GetString(), v.GetStringLength()));
      if (!s.empty()) out.push_back(std::move(s));
    }
  return out;
}

std::vector<std::pair<std::string, std::string>> llm_mining_messages(const SessionDigest& d) {
  std::string u = "Project: " + redact_secrets(d.project) + "\n\nUser prompts, in order:\n";
  for (std::size_t i = 0; i < d.user_prompts.size() && i < 6; ++i)
    u += std::to_string(i + 1) + ". " + redacted_head(trim(d.user_prompts[i]), 240) + "\n";
  if (!d.assistant_finals.empty())
    u += "\nThe agent's last answer:\n" + redacted_head(trim(d.assistant_finals.back()), 400) + "\n";
  if (!d.feedback_signals.empty()) {
    u += "\nUser feedback:\n";
    for (std::size_t i = 0; i < d.feedback_signals.size() && i < 6; ++i) {
      const auto& f = d.feedback_signals[i];
      u += "- " + f.polarity + " \"" + redact_secrets(f.phrase) + "\" at prompt " + std::to_string(f.turn + 1) + "\n";
    }
  }
  if (!d.tools.empty()) {
    u += "\nTools the agent used:";
    for (const auto& t : d.tools) u += " " + t.name;
    u += "\n";
  }
  u += "\n";
  u += kFormat;
  return {{"system", kSystem}, {"user", u}};
}

LlmParse parse_llm_tasks(const std::string& reply, const SessionDigest& d, const MinerOptions& o) {
  LlmParse out;
  const std::string arr = first_json_array(reply);
  if (arr.empty()) return out;
  rapidjson::Document doc;
  if (skillpipe::detail::parse_json(doc, arr) || !doc.IsArray()) return out;
  out.readable = true;
  int seen = 0;
  for (const auto& v : doc.GetArray()) {
    if (seen++ >= o.max_llm_tasks_per_session) break;
    if (!v.IsObject()) {
      ++out.dropped;
      continue;
    }
    auto field = [&](const char* k) {
      auto it = v.FindMember(k);
      return it != v.MemberEnd() && it->value.IsString() ? trim(std::string_view(it->value.GetString(), it->value.GetStringLength()))
                                                         : std::string();
    };
    const std::string intent = truncate_utf8(field("intent"), o.intent_chars);
    if (intent.size() < 8) {
      ++out.dropped;
      continue;
    }
    TaskRecord t;
    t.intent = intent;
    t.id = "llm_" + sha256_hex(d.project + intent).substr(0, 12);
    stamp_session_facts(d, t);
    t.tags.insert(t.tags.begin(), "mined:llm");
    t.attrs["mined_by"] = "llm";
    if (auto s = v.FindMember("satisfied"); s != v.MemberEnd() && s->value.IsBool())
      t.outcome = s->value.GetBool() ? Outcome::kSuccess : Outcome::kFail;
    if (!d.assistant_finals.empty()) t.attempted_solution = truncate_utf8(trim(d.assistant_finals.back()), o.solution_chars);

    const std::string rubric = field("rubric");
    std::vector<RuleCheck> checks;
    if (auto c = v.FindMember("checks"); c != v.MemberEnd() && c->value.IsArray()) {
      for (const auto& cv : c->value.GetArray()) {
        if (auto ck = clean_check(cv, 0)) checks.push_back(std::move(*ck));
        else ++out.dropped_checks;
      }
    }
    if (!rubric.empty()) {
      // The rubric wins: literal checks can be gamed by printing the string.
      t.reference_kind = ReferenceKind::kRubric;
      t.reference = rubric;
      t.judge.kind = ReferenceKind::kRubric;
      t.judge.rubric = rubric;
    } else if (!checks.empty()) {
      t.reference_kind = ReferenceKind::kRule;
      t.judge.kind = ReferenceKind::kRule;
      t.judge.checks = std::move(checks);
    } else {
      ++out.dropped;  // not checkable
      continue;
    }
    if (o.agentic_checks && t.judge.kind == ReferenceKind::kRule) add_agentic_checks(d, t, o);
    out.tasks.push_back(std::move(t));
  }
  return out;
}

}  // namespace skillpipe::mine_tasks
