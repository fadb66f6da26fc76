// feedback.cpp - positive/negative feedback phrases in user prompts, with negation.
//
// Matching is on whole words, case-insensitively, so "correct" never fires inside
// "incorrect". A negator shortly before a phrase, inside the same clause, flips a positive
// phrase to negative ("not correct", "doesn't look good") and cancels a negative one
// ("no problem", "not bad"). Feedback leads a reply, so only the head of each prompt is
// read; the rest of a long prompt is the next task, not a verdict on the last one.
#include "skillpipe/kit/feedback.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "skillpipe/abi.hpp"

namespace skillpipe {
namespace {

constexpr std::size_t kHeadBytes = 400;
constexpr std::size_t kNegationWindow = 3;

struct Token {
  std::size_t begin = 0, end = 0;  // byte range in the prompt
  std::string norm;                // lower-case, curly apostrophes straightened
  bool clause_start = false;       // punctuation separates it from the previous token
};

bool word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' ||
         c >= 0x80;
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  out.reserve(s.size() / 5 + 1);  // about one word in five bytes of prose
  bool brk = true;
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    // U+2019 (right single quote) is how phones and macOS type an apostrophe.
    bool curly = c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                 static_cast<unsigned char>(s[i + 2]) == 0x99;
    if (!word_byte(c) && !curly) {
      if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' || c == ')' ||
          c == '\n')
        brk = true;
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    t.clause_start = brk;
    brk = false;
    while (i < s.size()) {
      unsigned char d = static_cast<unsigned char>(s[i]);
      if (d == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          static_cast<unsigned char>(s[i + 2]) == 0x99) {
        t.norm.push_back('\'');
        i += 3;
        continue;
      }
      if (!word_byte(d)) break;
      t.norm.push_back(d >= 'A' && d <= 'Z' ? static_cast<char>(d + 32) : static_cast<char>(d));
      ++i;
    }
    t.end = i;
    // Quotes around a word ('great') are not part of it.
    while (!t.norm.empty() && t.norm.back() == '\'') t.norm.pop_back();
    while (!t.norm.empty() && t.norm.front() == '\'') t.norm.erase(t.norm.begin());
    if (!t.norm.empty()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> phrase_words(std::string_view phrase) {
  std::vector<std::string> w;
  for (auto& t : tokenize(phrase)) w.push_back(t.norm);
  return w;
}

constexpr std::array<std::string_view, 26> kNegators = {
    "not",    "no",     "never",  "don't", "doesn't", "didn't", "isn't",  "wasn't", "aren't",
    "weren't", "won't", "can't",  "cannot", "dont",   "doesnt", "didnt",  "isnt",   "wasnt",
    "arent",  "wont",   "cant",   "nothing", "hardly", "neither", "nor",  "without"};

bool is_negator(const std::string& w) {
  return std::find(kNegators.begin(), kNegators.end(), w) != kNegators.end();
}

struct Phrase {
  std::vector<std::string> words;
  bool positive = true;
};

bool matches_at(const std::vector<Token>& toks, std::size_t i, const Phrase& p) {
  if (p.words.empty() || i + p.words.size() > toks.size()) return false;
  for (std::size_t k = 0; k < p.words.size(); ++k) {
    if (toks[i + k].norm != p.words[k]) return false;
    if (k > 0 && toks[i + k].clause_start) return false;
  }
  return true;
}

// Phrases longest first ("looks good" before "good", "not working" before "working now"),
// with equal lengths in the order given, looked up by their first word: a prompt's token is
// hashed once instead of being compared with every phrase.
class PhraseIndex {
 public:
  explicit PhraseIndex(std::vector<Phrase> phrases) : phrases_(std::move(phrases)) {
    std::stable_sort(phrases_.begin(), phrases_.end(),
                     [](const Phrase& a, const Phrase& b) { return a.words.size() > b.words.size(); });
    for (std::size_t k = 0; k < phrases_.size(); ++k)
      if (!phrases_[k].words.empty()) by_first_[phrases_[k].words.front()].push_back(k);
  }
  // The phrases that may match at token i, in the order to try them.
  template <class F>
  void each_at(const std::vector<Token>& toks, std::size_t i, F&& f) const {
    const auto it = by_first_.find(toks[i].norm);
    if (it == by_first_.end()) return;
    for (const std::size_t k : it->second)
      if (matches_at(toks, i, phrases_[k]) && f(phrases_[k])) return;
  }

 private:
  std::vector<Phrase> phrases_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_first_;
};

// The nearest negator within the window before token i, in the same clause; npos if none.
std::size_t negator_before(const std::vector<Token>& toks, std::size_t i) {
  for (std::size_t back = 1; back <= kNegationWindow && back <= i; ++back) {
    if (toks[i - back + 1].clause_start) break;  // punctuation between: another clause
    if (is_negator(toks[i - back].norm)) return i - back;
  }
  return std::string::npos;
}

}  // namespace

SKILLPIPE_VISIBLE FeedbackLexicon FeedbackLexicon::defaults() {
  FeedbackLexicon l;
  l.positive = {"thanks",      "thank you",   "thx",          "perfect",      "great",
                "awesome",     "excellent",   "nice",         "looks good",   "look good",
                "looks great", "lgtm",        "well done",    "good job",     "nice work",
                "great work",  "that works",  "it works",     "works now",    "working now",
                "that worked", "it worked",   "correct",      "exactly",      "that's right",
                "nailed it",   "love it",     "all good",     "fixed it",     "that fixed it", "great job"};
  l.negative = {"wrong",        "incorrect",     "not what i asked", "not what i wanted",
                "doesn't work", "does not work", "didn't work",      "did not work",
                "not working",  "still broken",  "still failing",    "still fails",
                "still not",    "broken",        "you broke",        "that broke",
                "revert",       "undo",          "try again",        "that's not right",
                "bad",          "terrible",      "useless",          "nope",
                "failed",       "fails",         "ugh",              "not right",
                "not good",     "no good"};
  return l;
}

namespace {
// The lexicon's index, built once per thread while the lexicon stays the same (a harvest
// passes one lexicon for every session).
const PhraseIndex& lexicon_index(const FeedbackLexicon& lexicon) {
  struct Cached {
    FeedbackLexicon lexicon;
    std::optional<PhraseIndex> index;
  };
  thread_local Cached cache;
  if (!cache.index || cache.lexicon.positive != lexicon.positive || cache.lexicon.negative != lexicon.negative) {
    std::vector<Phrase> phrases;
    for (const auto& p : lexicon.positive) phrases.push_back({phrase_words(p), true});
    for (const auto& p : lexicon.negative) phrases.push_back({phrase_words(p), false});
    cache.index.emplace(std::move(phrases));
    cache.lexicon = lexicon;
  }
  return *cache.index;
}
}  // namespace

SKILLPIPE_VISIBLE std::vector<FeedbackSignal> detect_feedback(const std::vector<std::string>& prompts,
                                                              const FeedbackLexicon& lexicon, bool first_is_reply) {
  const PhraseIndex& phrases = lexicon_index(lexicon);
  std::vector<FeedbackSignal> out;
  for (std::size_t turn = first_is_reply ? 0 : 1; turn < prompts.size(); ++turn) {
    std::string_view text = prompts[turn];
    std::size_t head = std::min(text.size(), kHeadBytes);
    while (head < text.size() && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80) ++head;
    std::vector<Token> toks = tokenize(text.substr(0, head));
    std::set<std::pair<std::string, std::string>> seen;
    std::size_t i = 0;
    while (i < toks.size()) {
      const Phrase* hit = nullptr;
      phrases.each_at(toks, i, [&](const Phrase& p) {
        hit = &p;
        return true;
      });
      if (!hit) {
        ++i;
        continue;
      }
      std::size_t last = i + hit->words.size() - 1;
      std::size_t neg = negator_before(toks, i);
      // A phrase that itself starts with a negator ("not working") is not negated again.
      if (is_negator(hit->words.front())) neg = std::string::npos;
      std::string polarity;
      std::size_t from = i;
      if (neg == std::string::npos) {
        polarity = hit->positive ? "positive" : "negative";
      } else if (hit->positive) {
        polarity = "negative";
        from = neg;
      }  // a negated negative ("no problem", "not bad") is no signal
      if (!polarity.empty()) {
        std::string phrase(text.substr(toks[from].begin, toks[last].end - toks[from].begin));
        std::string key;
        for (std::size_t k = from; k <= last; ++k) key += toks[k].norm + " ";
        if (seen.insert({polarity, key}).second)
          out.push_back(FeedbackSignal{static_cast<int>(turn), polarity, std::move(phrase)});
      }
      i = last + 1;
    }
  }
  return out;
}

namespace {

constexpr std::size_t kAnswerLeadBytes = 600;

// First-person statements that the work did not get done, and what was looked for is missing.
// Nouns like "error" or "failure" are left out on purpose: an answer that reports failing
// tests ("2 tests fail: ...") may be exactly what was asked for.
constexpr std::array<std::string_view, 27> kFailurePhrases = {
    "could not",      "couldn't",        "cannot",        "can't",          "can not",
    "unable to",      "not able to",     "wasn't able",   "was not able",   "weren't able",
    "were not able",  "failed to",       "did not succeed", "didn't succeed", "does not exist",
    "doesn't exist",  "no such file",    "not found",     "gave up",        "unfortunately",
    "still failing",  "still fails",     "still broken",  "did not work",   "didn't work",
    "doesn't work",   "does not work"};

// After a failure phrase, in its clause: it was overcome ("could not connect at first").
bool overcome_at(const std::vector<Token>& toks, std::size_t k) {
  const std::string& w = toks[k].norm;
  return w == "initially" || w == "originally" || (w == "first" && k > 0 && toks[k - 1].norm == "at");
}

}  // namespace

SKILLPIPE_VISIBLE std::string failure_statement(std::string_view answer) {
  std::size_t head = std::min(answer.size(), kAnswerLeadBytes);
  while (head < answer.size() && (static_cast<unsigned char>(answer[head]) & 0xC0) == 0x80) ++head;
  const std::vector<Token> toks = tokenize(answer.substr(0, head));
  static const PhraseIndex phrases = [] {
    std::vector<Phrase> v;
    for (std::string_view p : kFailurePhrases) v.push_back({phrase_words(p), false});
    return PhraseIndex(std::move(v));
  }();
  for (std::size_t i = 0; i < toks.size(); ++i) {
    std::string found;
    // The first phrase that matches at i decides: negated or overcome, try the next token.
    phrases.each_at(toks, i, [&](const Phrase& p) {
      const std::size_t last = i + p.words.size() - 1;
      // "never failed to", "not unable to": negated. Phrases that start with a negator
      // ("not found") are not negated again.
      if (!is_negator(p.words.front()) && negator_before(toks, i) != std::string::npos) return true;
      bool overcome = false;
      for (std::size_t k = last + 1; k < toks.size() && !toks[k].clause_start; ++k)
        overcome = overcome || overcome_at(toks, k);
      if (!overcome) found = std::string(answer.substr(toks[i].begin, toks[last].end - toks[i].begin));
      return true;
    });
    if (!found.empty()) return found;
  }
  return {};
}

}  // namespace skillpipe
