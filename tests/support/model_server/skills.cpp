#include "skills.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "regex.hpp"

namespace skillpipe::model_server {
namespace {

constexpr std::string_view kClaudeMarker = "The following skills are available for use with the Skill tool:";

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// "- <name>: <description>" where the name is one token (a bullet inside a description has
// spaces before its colon and is a continuation instead).
bool split_entry(std::string_view line, std::string* name, std::string* desc) {
  static const Regex entry(R"(^- ([A-Za-z0-9][A-Za-z0-9_.:/@-]*): )");
  auto n = entry.capture(line, 1);
  if (!n) return false;
  *name = *n;
  *desc = trim(line.substr(2 + n->size() + 2));
  return true;
}

void add(std::vector<ListedSkill>& out, ListedSkill s) {
  for (const auto& have : out) {
    if (have.name == s.name) return;
  }
  out.push_back(std::move(s));
}

void parse_claude(std::string_view text, std::vector<ListedSkill>& out) {
  size_t at = text.find(kClaudeMarker);
  if (at == std::string_view::npos) return;
  std::vector<ListedSkill> found;
  for (std::string_view line : lines_of(text.substr(at + kClaudeMarker.size()))) {
    std::string name, desc;
    if (line.starts_with("</")) break;  // end of the <system-reminder> that held the listing
    if (split_entry(line, &name, &desc)) {
      found.push_back(ListedSkill{name, desc, {}});
    } else if (!found.empty() && !trim(line).empty()) {
      found.back().description += " " + trim(line);
    }
  }
  for (auto& s : found) add(out, std::move(s));
}

void parse_codex(std::string_view text, std::vector<ListedSkill>& out) {
  size_t at = text.find("<skills_instructions>");
  if (at == std::string_view::npos) return;
  static const Regex root(R"(^- `(r\d+)` = `([^`]+)`)");
  static const Regex file(R"(^(.*?)\s*\(file: ([^)]+)\)\s*$)");
  std::map<std::string, std::string> roots;
  bool in_skills = false;
  for (std::string_view line : lines_of(text.substr(at))) {
    if (line.starts_with("</skills_instructions>")) break;
    if (line.starts_with("### ")) in_skills = line.starts_with("### Available skills");
    if (auto r = root.capture(line, 1)) roots[*r] = *root.capture(line, 2);
    std::string name, desc;
    if (!in_skills || !split_entry(line, &name, &desc)) continue;
    ListedSkill s{name, desc, {}};
    if (auto d = file.capture(desc, 1)) {
      s.description = *d;
      std::string path = *file.capture(desc, 2);
      size_t slash = path.find('/');
      auto root_it = slash == std::string::npos ? roots.end() : roots.find(path.substr(0, slash));
      s.path = root_it == roots.end() ? path : root_it->second + path.substr(slash);
    }
    add(out, std::move(s));
  }
}

const std::set<std::string>& stop_words() {
  static const std::set<std::string> words = {
      "a",    "an",     "the",   "and",  "or",    "of",   "to",    "in",   "on",    "for",   "from",  "with",
      "this", "that",   "these", "those", "it",   "its",  "is",    "are",  "be",    "by",    "as",    "at",
      "me",   "my",     "our",   "we",   "you",   "your", "please", "can", "could", "would", "should", "will",
      "use",  "when",   "what",  "how",  "all",   "any",  "some",  "i",    "do",    "does",  "into",  "then",
      "it's", "there",  "here",  "so",   "if",    "not",  "no",    "yes",  "just",  "also",  "about", "via"};
  return words;
}

}  // namespace

std::vector<ListedSkill> listed_skills(const Conversation& c) {
  std::vector<ListedSkill> out;
  for (std::string_view text : c.context_texts()) {
    parse_claude(text, out);
    parse_codex(text, out);
  }
  return out;
}

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    if (!stop_words().count(word)) {
      if (word.size() > 3 && word.back() == 's' && !word.ends_with("ss")) word.pop_back();
      if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
    }
    word.clear();
  };
  for (char ch : text) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (std::isalnum(u)) {
      word += static_cast<char>(std::tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::optional<SkillMatch> best_skill(std::string_view task, const std::vector<ListedSkill>& skills, double threshold,
                                     int min_shared, const std::vector<std::string>& ignore) {
  std::vector<std::string> t = content_words(task);
  if (t.empty()) return std::nullopt;
  std::optional<SkillMatch> best;
  for (const auto& s : skills) {
    if (std::find(ignore.begin(), ignore.end(), s.name) != ignore.end()) continue;
    std::vector<std::string> d = content_words(s.name + " " + s.description);
    int shared = 0;
    for (const auto& w : t) shared += std::find(d.begin(), d.end(), w) != d.end();
    double score = static_cast<double>(shared) / static_cast<double>(t.size());
    if (shared < min_shared || score < threshold) continue;
    if (!best || score > best->score) best = SkillMatch{s, score, shared};
  }
  return best;
}

std::string strip_frontmatter(std::string_view body) {
  std::string_view b = body;
  size_t lead = b.find_first_not_of(" \t\r\n");
  if (lead == std::string_view::npos) return {};
  b.remove_prefix(lead);
  if (!b.starts_with("---")) return std::string(body);
  size_t end = b.find("\n---", 3);
  if (end == std::string_view::npos) return std::string(body);
  size_t after = b.find('\n', end + 4);
  return after == std::string_view::npos ? std::string() : std::string(b.substr(after + 1));
}

std::vector<std::string> skill_commands(std::string_view body) {
  static const Regex fence_open(R"(^\s*(```|~~~)\s*([A-Za-z0-9_+-]*))");
  static const Regex run_colon(R"((?i)^\s*(?:[-*]\s*|\d+\.\s*)?run:\s*(.*)$)");
  static const Regex run_code(R"((?i)^\s*(?:[-*]\s*|\d+\.\s*)?run\s+`([^`]+)`)");
  std::vector<std::string> out;
  std::vector<std::string_view> lines = lines_of(body);
  bool in_fence = false, shell_fence = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (auto f = fence_open.capture(line, 2)) {
      if (!in_fence) {
        static const std::set<std::string> shells = {"", "bash", "sh", "shell", "console", "zsh"};
        shell_fence = shells.count(*f) > 0;
      }
      in_fence = !in_fence;
      continue;
    }
    std::string t = trim(line);
    if (in_fence) {
      if (!shell_fence || t.empty() || t.starts_with("#")) continue;
      if (t.starts_with("$ ")) t = t.substr(2);
      out.push_back(t);
    } else if (auto code = run_code.capture(line, 1)) {
      out.push_back(trim(*code));
    } else if (auto rest = run_colon.capture(line, 1)) {
      std::string cmd = trim(*rest);
      if (cmd.size() >= 2 && cmd.front() == '`' && cmd.back() == '`') cmd = trim(std::string_view(cmd).substr(1, cmd.size() - 2));
      if (!cmd.empty()) out.push_back(cmd);  // "Run:" alone introduces the next fenced block
    }
  }
  return out;
}

const std::vector<std::string>& cli_bundled_skills() {
  static const std::vector<std::string> kBundled = {
      "deep-research", "update-config", "verify", "debug", "code-review", "simplify", "batch",
      "fewer-permission-prompts", "loop", "claude-api", "run", "run-skill-generator",  // Claude Code
      "imagegen", "openai-docs", "skill-creator", "skill-installer"};                   // Codex
  return kBundled;
}

}  // namespace skillpipe::model_server
