// judge_exact - normalized exact match with keyword credit (SkillOpt-Sleep's semantics, kept
// number for number so results compare with SkillOpt's).
//
//   normalize(s): lower-case, every non-word character becomes a space, whitespace collapsed,
//                 trimmed ("word" = letter, digit or '_', as Python's \w).
//   hard = 1 when normalize(reference) occurs in normalize(response) (equality included).
//   soft = max(hard, keyword credit); keyword credit = the fraction of the DISTINCT tokens
//          of normalize(reference) longer than 2 characters that occur as substrings of
//          normalize(response); 0 when there are no such tokens.
// The reference is task.reference. An empty reference is not a match (SkillOpt's "" in s
// would be): hard = soft = 0, "no reference". Letters outside ASCII are lower-cased for
// Latin-1, Latin Extended-A, Greek and Cyrillic; other scripts are compared as written.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "judge_exact",
  "description": "Normalized exact match (reference contained in the response) with keyword partial credit.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "pass_threshold": {"type": "number", "minimum": 0, "maximum": 1,
      "description": "Keyword credit at or above which a response without the exact reference still passes (default 1.1: never, as in SkillOpt)."}
  }
})";

// Decodes one UTF-8 code point at s[i]; invalid bytes decode as themselves (Latin-1).
char32_t decode(const std::string& s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  auto bits = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  char32_t cp = b;
  std::size_t n = 1;
  if (b >= 0xF0 && b < 0xF8 && cont(1) && cont(2) && cont(3)) {
    cp = (static_cast<char32_t>(b & 0x07) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
    n = 4;
  } else if (b >= 0xE0 && b < 0xF0 && cont(1) && cont(2)) {
    cp = (static_cast<char32_t>(b & 0x0F) << 12) | (bits(1) << 6) | bits(2);
    n = 3;
  } else if (b >= 0xC0 && b < 0xE0 && cont(1)) {
    cp = (static_cast<char32_t>(b & 0x1F) << 6) | bits(1);
    n = 2;
  }
  i += n;
  return cp;
}

// Python's \w for the code points prompts actually contain: ASCII letters, digits and '_',
// and non-ASCII letters; punctuation, symbols, spaces and emoji are not word characters.
bool is_word(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  if (c <= 0xBF) return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x2BFF) return false;  // punctuation, super/subscripts, currency, arrows, math, shapes
  if (c >= 0x2E00 && c <= 0x2E7F) return false;  // supplemental punctuation
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK symbols and punctuation
  if (c >= 0xFE30 && c <= 0xFE4F) return false;  // CJK compatibility forms
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // fullwidth punctuation
  if (c >= 0xFF1A && c <= 0xFF20) return false;
  if (c >= 0x1F000 && c <= 0x1FAFF) return false;  // emoji and pictographs
  if (c >= 0xE000 && c <= 0xF8FF) return false;    // private use
  return true;
}

char32_t lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
    // Latin Extended-A pairs: even = upper in most of the block, odd in 0x139-0x148, 0x179-0x17E.
    const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_upper ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
    return c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

// Python: " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())
std::string normalize(const std::string& s) {
  std::string out;
  bool pending_space = false;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t c = lower(decode(s, i));
    if (!is_word(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    append_utf8(out, c);
  }
  return out;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class JudgeExact : public Judge {
 public:
  void configure(const Config& config, Context&) override { pass_threshold_ = config.get_double("pass_threshold", 1.1); }

  Verdict judge(const TaskRecord& task, const ReplayResult& replay, Context&) override {
    Verdict v;
    v.task_id = task.id;
    v.variant = replay.variant;
    v.sample = replay.sample;
    const std::string ref = normalize(task.reference);
    if (ref.empty()) {
      v.rationale = "no reference";
      return v;
    }
    const std::string resp = normalize(replay.response);
    const bool exact = resp.find(ref) != std::string::npos;
    std::set<std::string> tokens;
    for (const auto& t : split(ref, ' '))
      if (code_points(t) > 2) tokens.insert(t);
    std::vector<std::string> missing;
    std::size_t found = 0;
    for (const auto& t : tokens) {
      if (resp.find(t) != std::string::npos) ++found;
      else missing.push_back(t);
    }
    const double credit = tokens.empty() ? 0.0 : static_cast<double>(found) / static_cast<double>(tokens.size());
    v.hard = exact ? 1.0 : 0.0;
    v.soft = std::max(v.hard, credit);
    if (!exact && credit >= pass_threshold_) v.hard = 1.0;
    if (exact) {
      v.rationale = "the reference answer appears in the response";
    } else {
      v.rationale = "the reference answer does not appear; keyword credit " + std::to_string(found) + "/" +
                    std::to_string(tokens.size());
      if (!missing.empty()) {
        std::string m;
        for (std::size_t i = 0; i < missing.size() && i < 8; ++i) m += (i ? ", " : "") + missing[i];
        v.rationale += " (missing: " + m + (missing.size() > 8 ? ", ..." : "") + ")";
      }
      if (v.hard < 1) v.failed_criteria.push_back("the response must contain the reference answer \"" +
                                                  truncate_utf8(task.reference, 200) + "\"");
    }
    return v;
  }

  bool handles(const TaskRecord& task) const override {
    return (task.reference_kind == ReferenceKind::kExact || task.reference_kind == ReferenceKind::kNone) &&
           !normalize(task.reference).empty();
  }

  std::vector<std::string> validate(const TaskRecord& task) const override {
    if (normalize(task.reference).empty()) {
      if (task.reference_kind == ReferenceKind::kExact)
        throw RecordError("task " + task.id + ": reference_kind is exact but the reference is empty", task.id);
      return {"no reference answer: judge_exact scores this task 0"};
    }
    if (task.reference_kind != ReferenceKind::kExact && task.reference_kind != ReferenceKind::kNone)
      return {std::string("reference_kind is ") + to_string(task.reference_kind) +
              "; judge_exact compares the response with the reference text as if it were an exact answer"};
    return {};
  }

 private:
  double pass_threshold_ = 1.1;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kJudge, "1.0.0",
                 "Normalized exact match with keyword partial credit (SkillOpt-compatible)", skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::JudgeExact); });
