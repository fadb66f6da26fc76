// relevance.cpp - the target-skill relevance filter (relevance.hpp).
#include "relevance.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {
namespace {

void add_tokens(std::set<std::string>& out, const std::string& text) {
  for (auto& t : intent_tokens(text))
    if (t.size() >= 3 && t.find_first_not_of("0123456789") != std::string::npos) out.insert(t);
}

}  // namespace

SkillKeywords skill_keywords(const std::string& skill_path, const std::string& skill_text) {
  std::set<std::string> strong;
  const std::filesystem::path p(skill_path);
  add_tokens(strong, p.parent_path().filename().string());
  const std::string stem = p.stem().string();
  if (to_lower_ascii(stem) != "skill") add_tokens(strong, stem);

  std::map<std::string, int> freq;
  bool in_front = false;
  int line_no = 0;
  for (const auto& raw : split(skill_text, '\n')) {
    const std::string line = trim(raw);
    ++line_no;
    if (line == "---" && (line_no == 1 || in_front)) {
      in_front = line_no == 1;
      continue;
    }
    if (in_front) {
      if (starts_with(line, "name:") || starts_with(line, "description:")) add_tokens(strong, line.substr(line.find(':') + 1));
      continue;
    }
    if (starts_with(line, "#")) {
      add_tokens(strong, line);
      continue;
    }
    std::set<std::string> words;
    add_tokens(words, line);
    for (const auto& w : words) ++freq[w];
  }
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [w, n] : freq)
    if (!strong.count(w)) ranked.emplace_back(-n, w);
  std::sort(ranked.begin(), ranked.end());
  SkillKeywords kw;
  kw.strong.assign(strong.begin(), strong.end());
  for (std::size_t i = 0; i < ranked.size() && i < 180; ++i) kw.weak.push_back(ranked[i].second);
  std::sort(kw.weak.begin(), kw.weak.end());
  return kw;
}

RelevanceResult filter_relevant(std::vector<TaskRecord> tasks, const SkillKeywords& kw) {
  struct Scored {
    int score;
    std::size_t pos;
  };
  std::vector<Scored> keep;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto tokens = intent_tokens(tasks[i].intent + "\n" + tasks[i].context_excerpt);
    int strong = 0, weak = 0;
    for (const auto& t : tokens) {
      strong += std::binary_search(kw.strong.begin(), kw.strong.end(), t);
      weak += std::binary_search(kw.weak.begin(), kw.weak.end(), t);
    }
    tasks[i].attrs["relevance"] = std::to_string(3 * strong + weak);
    if (strong >= 1 || weak >= 2) keep.push_back({3 * strong + weak, i});
  }
  RelevanceResult out;
  out.relevant = static_cast<int>(keep.size());
  if (keep.empty()) {
    out.kept_all = true;
    out.tasks = std::move(tasks);
    return out;
  }
  std::stable_sort(keep.begin(), keep.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  for (const auto& s : keep) out.tasks.push_back(std::move(tasks[s.pos]));
  return out;
}

}  // namespace skillpipe::mine_tasks
