// Request words for pattern names and clustering (request_text.hpp).
#include "request_text.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace skillpipe::mine_patterns {
namespace {

// Verbs a request to a coding agent starts with. A request's verb is the first of these.
const std::set<std::string, std::less<>> kVerbs = {
    "add",      "analyze",   "apply",    "audit",     "benchmark", "build",     "bump",     "check",
    "clean",    "commit",    "compare",  "compose",   "configure", "convert",   "count",    "create",
    "debug",    "delete",    "deploy",   "describe",  "diagnose",  "document",  "draft",    "explain",
    "export",   "extract",   "find",     "fix",       "format",    "generate",  "implement", "import",
    "improve",  "install",   "investigate", "lint",   "list",      "merge",     "migrate",  "move",
    "optimize", "package",   "parse",    "patch",     "plan",      "port",      "prepare",  "print",
    "produce",  "profile",   "prune",    "publish",   "push",      "read",      "rebase",   "refactor",
    "release",  "remove",    "rename",   "reproduce", "resolve",   "restart",   "review",   "rewrite",
    "run",      "scaffold",  "search",   "setup",     "show",      "sort",      "split",    "summarize",
    "sync",     "tag",       "test",     "tidy",      "translate", "triage",    "update",   "upgrade",
    "validate", "verify",    "write"};

// Verbs that mean "write a document"; requests counted together, named by the most used one.
const std::set<std::string, std::less<>> kWriteVerbs = {"write", "generate", "compose", "draft",
                                                        "prepare", "produce", "put-together"};

// Words that end an object: prepositions, conjunctions, pronouns, question words.
const std::set<std::string, std::less<>> kObjectEnd = {
    "from", "for", "in", "into", "of", "on", "onto", "with", "without", "to", "by", "at", "about", "after",
    "before", "since", "until", "and", "or", "but", "so", "then", "that", "which", "who", "we", "i", "you",
    "they", "it", "is", "are", "was", "were", "be", "if", "when", "where", "while", "because", "as", "like",
    "again", "now", "please", "thanks", "using", "via", "than"};

// Words that carry no meaning in a name.
const std::set<std::string, std::less<>> kFiller = {
    "a", "an", "the", "this", "that", "these", "those", "my", "our", "your", "their", "its", "some", "any",
    "all", "every", "each", "me", "us", "up", "whole", "entire", "full", "just", "also", "really", "very",
    "can", "could", "would", "will", "should", "please", "pls", "hey", "hi", "hello", "ok", "okay", "let",
    "lets", "need", "want", "like", "help", "try", "do", "does", "did", "is", "are", "was", "were", "be",
    "been", "have", "has", "had", "get", "got", "go", "going", "much", "many", "little", "lot", "lots",
    "here", "there", "thing", "things", "stuff", "something", "it", "what", "how", "why", "when", "which",
    "who", "whether", "not", "no", "yes", "so", "then", "now", "again", "still", "too", "of", "to", "in",
    "on", "for", "from", "with", "and", "or", "but", "at", "by", "as", "if", "we", "i", "you", "they",
    "he", "she", "them", "into", "about", "out", "see", "make", "made", "thank", "thanks", "great", "good",
    "nice", "md", "txt", "json", "yaml", "yml", "py", "js", "ts", "cpp", "hpp", "rs", "go"};

const std::map<std::string, std::string, std::less<>> kAbbreviations = {
    {"pr", "pull request"}, {"prs", "pull requests"}, {"mr", "merge request"}, {"mrs", "merge requests"},
    {"repo", "repository"}, {"repos", "repositories"}, {"deps", "dependencies"}, {"dep", "dependency"},
    {"env", "environment"}, {"config", "configuration"}, {"docs", "documentation"}, {"changelog", "changelog"}};

constexpr std::string_view kMarker = "[REDACTED";

// Lower-case ASCII words; a word with an apostrophe ("isn't", "we're") is dropped whole,
// so contractions never leave fragments such as "isn" or "re" behind.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool apostrophe = false;
  auto flush = [&] {
    if (!cur.empty() && !apostrophe) out.push_back(cur);
    cur.clear();
    apostrophe = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool joins = (c == '_' || c == '-') && !cur.empty() && i + 1 < text.size() &&
                       std::isalnum(static_cast<unsigned char>(text[i + 1]));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || joins) {
      cur += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      cur += static_cast<char>(c - 'A' + 'a');
    } else if ((c == '\'' || (c == 0xE2 && i + 2 < text.size() && text.substr(i, 3) == "\u2019")) && !cur.empty()) {
      apostrophe = true;
      if (c == 0xE2) i += 2;
    } else {
      flush();
    }
  }
  flush();
  return out;
}

bool content_word(const std::string& w) {
  if (w.size() < 2 || kFiller.count(w)) return false;
  return !std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string verb_group(const std::string& verb) { return kWriteVerbs.count(verb) ? "write" : verb; }

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : "-") + w;
  return s;
}

// Content words most of the requests share, in the order the first request uses them.
std::string shared_words_label(const std::vector<std::vector<std::string>>& per_request) {
  std::map<std::string, int> in;
  for (const auto& ws : per_request) {
    std::set<std::string> seen;
    for (const auto& w : ws)
      if (content_word(w) && seen.insert(w).second) ++in[w];
  }
  std::vector<std::string> label;
  const int need = per_request.size() > 1 ? static_cast<int>(per_request.size() / 2 + 1) : 1;
  for (const auto& w : per_request.front())
    if (content_word(w) && w.find('_') == std::string::npos && in[w] >= need && std::find(label.begin(), label.end(), w) == label.end() &&
        label.size() < 3)
      label.push_back(w);
  return join(label);
}

// What may come before a request's verb.
const std::set<std::string, std::less<>> kLead = {
    "can", "could", "would", "will", "you", "please", "pls", "i", "we", "need", "want", "to", "let", "lets", "us",
    "go", "ahead", "and", "then", "just", "now", "also", "help", "me", "hey", "hi", "ok", "okay", "so", "again",
    "quickly", "first", "next", "finally", "kindly", "d", "like", "going", "gonna", "wanna"};

// The object of a verb: up to three content words, ending at a preposition, a conjunction,
// an "-ing" word or an identifier ("test_payment", "2.3"); a one-word object takes the place
// it goes to ("deploy the app to staging").
std::vector<std::string> object_after(const std::vector<std::string>& ws, std::size_t i, const std::string& verb) {
  std::vector<std::string> object;
  for (; i < ws.size() && object.size() < 3; ++i) {
    const std::string& w = ws[i];
    const bool identifier = std::any_of(w.begin(), w.end(), [](char c) { return c == '_' || (c >= '0' && c <= '9'); });
    if (!object.empty() && (kObjectEnd.count(w) || identifier ||
                            (w.size() > 4 && w.compare(w.size() - 3, 3, "ing") == 0)))
      break;
    if (!content_word(w) || identifier || w == verb) continue;
    if (std::find(object.begin(), object.end(), w) == object.end()) object.push_back(w);
  }
  if (object.size() == 1 && i + 1 < ws.size() && (ws[i] == "to" || ws[i] == "for" || ws[i] == "on")) {
    for (std::size_t j = i + 1; j < ws.size() && j < i + 3; ++j)
      if (content_word(ws[j]) && ws[j].find('_') == std::string::npos) {
        if (ws[j] != object.front()) object.push_back(ws[j]);
        break;
      }
  }
  return object;
}

}  // namespace

std::string strip_redactions(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find(kMarker, i);
    if (at == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    out.append(text.substr(i, at - i)).push_back(' ');
    const auto end = text.find(']', at);
    i = end == std::string_view::npos ? text.size() : end + 1;
  }
  return out;
}

bool mostly_redacted(std::string_view text) {
  const std::string kept = strip_redactions(text);
  if (kept.size() == text.size()) return false;
  std::size_t visible = 0;
  for (char c : kept) visible += c != ' ';
  std::size_t before = 0;
  for (char c : text) before += c != ' ';
  if (visible * 2 <= before) return true;
  const auto ws = words_of(kept);
  return std::count_if(ws.begin(), ws.end(), content_word) < 2;
}

std::string normalize_request(std::string_view text) {
  std::string plain = strip_redactions(text);
  // A file name reads as its words: "RELEASE_NOTES.md" -> "RELEASE-NOTES" (the same words as
  // "release notes" to the clusterer, one object to the namer); "does-not-exist.md" keeps its
  // "not". An identifier without an extension ("test_payment") stays as written.
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (plain[i] != '.' || i == 0 || i + 1 >= plain.size() || !std::isalpha(static_cast<unsigned char>(plain[i + 1])))
      continue;
    std::size_t e = i + 1;
    while (e < plain.size() && std::isalnum(static_cast<unsigned char>(plain[e]))) ++e;
    if (e - i - 1 > 5 || (e < plain.size() && plain[e] != ' ' && !std::ispunct(static_cast<unsigned char>(plain[e]))))
      continue;  // not an extension ("e.g", "v2.example.com")
    std::size_t b = i;
    while (b > 0 && plain[b - 1] != ' ' && plain[b - 1] != '/') --b;
    for (std::size_t k = b; k < i; ++k)
      if (plain[k] == '_') plain[k] = '-';
    plain.erase(i, e - i);
  }
  std::string out;
  for (const auto& w : words_of(plain)) {
    const auto it = kAbbreviations.find(w);
    out += (out.empty() ? "" : " ") + (it == kAbbreviations.end() ? w : it->second);
  }
  return out;
}

VerbObject verb_object(std::string_view request) {
  // The verb starts a clause ("the test fails again, fix it"): after a comma, a full stop
  // or "then", past politeness ("can you", "please", "let's").
  const std::string plain = strip_redactions(request);
  std::vector<std::string> clauses(1);
  for (std::size_t i = 0; i < plain.size(); ++i) {
    const char c = plain[i];
    const bool stop = c == ',' || c == ';' || c == '!' || c == '?' || c == '\n' || c == ':' ||
                      (c == '.' && (i + 1 == plain.size() || plain[i + 1] == ' '));
    if (stop) clauses.emplace_back();
    else clauses.back() += c;
  }
  for (const auto& clause : clauses) {
    const auto ws = words_of(normalize_request(clause));
    std::size_t i = 0;
    while (i < ws.size() && kLead.count(ws[i])) ++i;
    VerbObject vo;
    if (i + 1 < ws.size() && ws[i] == "put" && ws[i + 1] == "together") {
      vo.verb = "put-together";
      i += 2;
    } else if (i < ws.size() && kVerbs.count(ws[i])) {
      vo.verb = ws[i++];
    } else {
      continue;
    }
    vo.object = object_after(ws, i, vo.verb);
    return vo;
  }
  return {};
}

std::string label_from_requests(const std::vector<std::string>& requests) {
  if (requests.empty()) return "";
  // Count each (verb group, object); the most common wins, the first request breaks ties.
  std::vector<std::pair<std::string, int>> keys;
  std::map<std::string, std::map<std::string, int>> verbs_of_key;
  std::vector<std::vector<std::string>> per_request;
  for (const auto& r : requests) {
    per_request.push_back(words_of(normalize_request(r)));
    const VerbObject vo = verb_object(r);
    if (vo.verb.empty() || vo.object.empty()) continue;
    const std::string key = verb_group(vo.verb) + "|" + join(vo.object);
    auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == key; });
    if (it == keys.end()) keys.emplace_back(key, 1);
    else ++it->second;
    ++verbs_of_key[key][vo.verb == "put-together" ? "write" : vo.verb];
  }
  if (keys.empty()) return shared_words_label(per_request);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  const std::string top = keys.front().first;
  std::string verb;
  int most = 0;
  for (const auto& [v, n] : verbs_of_key[top])
    if (n > most || (n == most && v == "write")) verb = v, most = n;
  return verb + "-" + top.substr(top.find('|') + 1);
}

}  // namespace skillpipe::mine_patterns
