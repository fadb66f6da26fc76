// score_parse.cpp - defensive parsing of grader replies.
#include "score_parse.hpp"

#include "skillpipe/kit/reply_json.hpp"

#include <rapidjson/document.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::judge_llm {
namespace {

// Reads "0.8", "4/5", "80%", "8 / 10" at the start of `s`; sets *used to the bytes read.
std::optional<double> read_scaled_number(std::string_view s, std::size_t* used, std::string* why) {
  std::size_t i = 0;
  auto number = [&](double* out) {
    const std::size_t start = i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool digits = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        ++i;
        digits = true;
      }
    }
    if (!digits) {
      i = start;
      return false;
    }
    *out = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    return true;
  };
  double a = 0;
  if (!number(&a)) return std::nullopt;
  std::size_t j = i;
  while (j < s.size() && s[j] == ' ') ++j;
  double value = a;
  if (j < s.size() && s[j] == '%') {
    value = a / 100.0;
    i = j + 1;
  } else if (j < s.size() && s[j] == '/') {
    i = j + 1;
    while (i < s.size() && s[i] == ' ') ++i;
    double b = 0;
    if (!number(&b) || !(b > 0)) {
      if (why) *why = "a score written as a fraction without a usable denominator";
      return std::nullopt;
    }
    value = a / b;
  }
  if (used) *used = i;
  if (!std::isfinite(value) || value < 0 || value > 1) {
    if (why) *why = "score " + std::string(s.substr(0, i)) + " is outside 0..1";
    return std::nullopt;
  }
  return value;
}

std::optional<double> score_from_value(const rapidjson::Value& v, std::string* why) {
  if (v.IsNumber()) {
    const double d = v.GetDouble();
    if (d >= 0 && d <= 1) return d;
    if (why) *why = "score " + std::to_string(d) + " is outside 0..1";
    return std::nullopt;
  }
  if (v.IsString()) {
    const std::string s = trim(std::string_view(v.GetString(), v.GetStringLength()));
    std::size_t used = 0;
    auto r = read_scaled_number(s, &used, why);
    if (r && trim(std::string_view(s).substr(used)).empty()) return r;
    if (r && why) *why = "score text \"" + s + "\" is not a number";
    return std::nullopt;
  }
  if (v.IsBool()) return v.GetBool() ? 1.0 : 0.0;
  if (why) *why = "score is not a number";
  return std::nullopt;
}

std::string string_member(const rapidjson::Value& o, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    auto it = o.FindMember(k);
    if (it != o.MemberEnd() && it->value.IsString()) return trim(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  }
  return {};
}

}  // namespace

std::optional<GraderReply> parse_grader_reply(std::string_view reply, std::string* why) {
  std::string problem = "no score found";
  // 1. A JSON object with a score (possibly inside a ``` fence or surrounded by prose).
  for (auto cand : balanced_json_candidates(reply, '{', 16)) {
    rapidjson::Document d;
    if (skillpipe::detail::parse_json(d, cand) || !d.IsObject()) continue;
    const rapidjson::Value* sv = nullptr;
    for (const char* k : {"score", "Score", "rating", "grade"})
      if (d.HasMember(k)) {
        sv = &d[k];
        break;
      }
    std::optional<double> score;
    if (sv) {
      score = score_from_value(*sv, &problem);
    } else if (d.HasMember("pass") && d["pass"].IsBool()) {
      score = d["pass"].GetBool() ? 1.0 : 0.0;
    } else {
      continue;
    }
    if (!score) continue;
    GraderReply r;
    r.score = *score;
    r.reason = string_member(d, {"reason", "rationale", "explanation", "justification"});
    for (const char* k : {"failed", "failed_criteria", "unmet"}) {
      auto it = d.FindMember(k);
      if (it == d.MemberEnd() || !it->value.IsArray()) continue;
      for (const auto& e : it->value.GetArray())
        if (e.IsString() && e.GetStringLength() > 0) r.failed.emplace_back(trim(std::string_view(e.GetString(), e.GetStringLength())));
      break;
    }
    return r;
  }
  // 2. Prose: "Score: 0.7", "score = 4/5", "**Score**: 80%".
  const std::string lower = to_lower_ascii(reply);
  for (std::size_t p = lower.find("score"); p != std::string::npos; p = lower.find("score", p + 5)) {
    std::size_t i = p + 5;
    while (i < reply.size() && std::string_view(" \t:=*\"'").find(reply[i]) != std::string_view::npos && i < p + 12) ++i;
    std::size_t used = 0;
    if (auto s = read_scaled_number(reply.substr(i), &used, &problem)) {
      GraderReply r;
      r.score = *s;
      r.reason = truncate_utf8(trim(reply), 400);
      return r;
    }
  }
  // 3. The whole reply is a number.
  std::string bare = trim(reply);
  while (!bare.empty() && (bare.back() == '.' || bare.back() == '`')) bare.pop_back();
  while (!bare.empty() && bare.front() == '`') bare.erase(0, 1);
  std::size_t used = 0;
  if (!bare.empty()) {
    if (auto s = read_scaled_number(bare, &used, &problem); s && used == bare.size()) {
      GraderReply r;
      r.score = *s;
      return r;
    }
  }
  if (why) *why = problem;
  return std::nullopt;
}

}  // namespace skillpipe::judge_llm
