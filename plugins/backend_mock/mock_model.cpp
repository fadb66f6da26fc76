#include "mock_model.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace skillpipe::backend_mock {
namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::vector<std::string> tag_keys(const std::vector<std::string>& tags, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& t : tags) {
    if (starts_with(t, prefix)) out.push_back(t.substr(prefix.size()));
  }
  return out;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Python's re.sub(r"[^\w\s]", " ", s.lower()) then whitespace collapsing. Bytes of
// multi-byte UTF-8 characters count as word characters (they are letters in practice).
std::string normalize(const std::string& s) {
  std::string out;
  bool space = true;
  for (unsigned char c : s) {
    bool word = std::isalnum(c) || c == '_' || c >= 0x80;
    if (word) {
      out.push_back(static_cast<char>(std::tolower(c)));
      space = false;
    } else if (!space) {
      out.push_back(' ');
      space = true;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return !is_continuation(static_cast<unsigned char>(c));
  }));
}

std::string drop_last_chars(const std::string& s, std::size_t n) {
  std::size_t end = s.size();
  while (n > 0 && end > 0) {
    --end;
    while (end > 0 && is_continuation(static_cast<unsigned char>(s[end]))) --end;
    --n;
  }
  return s.substr(0, end);
}

std::vector<std::string> required_rules(const RuleTexts& rules, const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (auto& key : tag_keys(tags, "rule:")) {
    if (rules.count(key)) out.push_back(key);
  }
  return out;
}

std::string attempt(const RuleTexts& rules, const std::vector<std::string>& tags,
                    const std::string& reference, const std::string& documents) {
  auto required = required_rules(rules, tags);
  if (std::find(required.begin(), required.end(), kHarmfulKey) != required.end()) return kHarmfulAnswer;
  bool have_all = !required.empty() && std::all_of(required.begin(), required.end(), [&](const std::string& k) {
    return documents.find(rules.at(k)) != std::string::npos;
  });
  // skillpipe's extension: a rule that helps one task family and hurts another.
  bool broken = false;
  for (auto& key : tag_keys(tags, "breaks:")) {
    auto it = rules.find(key);
    if (it != rules.end() && documents.find(it->second) != std::string::npos) broken = true;
  }
  if (have_all && !broken && !reference.empty()) {
    if (std::find(required.begin(), required.end(), "wrap-answer") != required.end()) {
      return "Here is the result. <answer>" + reference + "</answer>";
    }
    return reference;
  }
  if (!reference.empty()) {
    std::string mangled = utf8_length(reference) > 3 ? drop_last_chars(reference, 2) : "unknown";
    return "approximately " + mangled + " (format not applied)";
  }
  return kNoReferenceAnswer;
}

std::vector<ProposedEdit> reflect(const RuleTexts& rules, const std::vector<std::string>& failed_tags,
                                  const std::string& documents, int edit_budget) {
  std::vector<ProposedEdit> edits;
  if (edit_budget <= 0) return edits;
  std::set<std::string> seen;
  for (auto& key : required_rules(rules, failed_tags)) {
    const std::string& text = rules.at(key);
    if (documents.find(text) != std::string::npos || seen.count(text)) continue;
    seen.insert(text);
    edits.push_back({key, text});
    if (static_cast<int>(edits.size()) >= edit_budget) break;
  }
  return edits;
}

double keyword_soft_score(const std::string& reference, const std::string& response) {
  std::set<std::string> tokens;
  std::string ref = normalize(reference);
  std::size_t i = 0;
  while (i < ref.size()) {
    std::size_t j = ref.find(' ', i);
    if (j == std::string::npos) j = ref.size();
    std::string t = ref.substr(i, j - i);
    if (utf8_length(t) > 2) tokens.insert(t);
    i = j + 1;
  }
  if (tokens.empty()) return 0.0;
  std::string resp = normalize(response);
  std::size_t hit = 0;
  for (const auto& t : tokens) {
    if (resp.find(t) != std::string::npos) ++hit;  // substring, as SkillOpt does
  }
  return static_cast<double>(hit) / static_cast<double>(tokens.size());
}

}  // namespace skillpipe::backend_mock
