// Session steps and their common sequence (procedure.hpp).
#include "procedure.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_patterns {
namespace {

// Tools whose first argument names what they do ("git log", "npm test", "cargo build").
const std::set<std::string, std::less<>> kWithSubcommand = {
    "git", "npm", "pnpm", "yarn", "npx", "cargo", "go", "docker", "kubectl", "gh", "pip", "pip3", "uv",
    "poetry", "make", "bundle", "rails", "dotnet", "mvn", "gradle", "helm", "terraform", "brew", "apt",
    "apt-get", "systemctl", "python", "python3", "node", "deno", "bun", "rustup", "conda"};
// Programs that only put text into a file when their output is redirected.
const std::set<std::string, std::less<>> kWriters = {"cat", "echo", "printf", "tee"};

struct Word {
  std::string text;
  bool quoted = false;
};

// Shell words, quotes removed; operators (&&, ||, ;, |, >, >>, <<) are words of their own.
std::vector<Word> shell_words(const std::string& s) {
  std::vector<Word> out;
  Word cur;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) out.push_back(cur);
    cur = {};
    in_word = false;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\'' || c == '"') {
      const auto end = s.find(c, i + 1);
      cur.text += s.substr(i + 1, (end == std::string::npos ? s.size() : end) - i - 1);
      cur.quoted = in_word = true;
      i = end == std::string::npos ? s.size() : end;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      flush();
    } else if (c == '&' || c == '|' || c == ';' || c == '>' || c == '<') {
      flush();
      std::string op(1, c);
      while (i + 1 < s.size() && (s[i + 1] == c || (c == '>' && s[i + 1] == '&') || (c == '<' && s[i + 1] == '-')))
        op += s[++i];
      out.push_back({op, false});
    } else {
      cur.text += c;
      in_word = true;
    }
  }
  flush();
  return out;
}

// The command without here-document bodies: the lines after "<<WORD" up to WORD.
std::string drop_heredoc_bodies(const std::string& cmd) {
  std::string out, end_word;
  for (const auto& line : split(cmd, '\n')) {
    if (!end_word.empty()) {
      if (trim(line) == end_word) end_word.clear();
      continue;
    }
    out += (out.empty() ? "" : "\n") + line;
    const auto at = line.find("<<");
    if (at == std::string::npos) continue;
    const auto words = shell_words(line.substr(at + 2));
    if (words.empty() || words[0].text == "<") continue;  // "<<<" is a here-string, no body
    end_word = words[0].text == "<-" && words.size() > 1 ? words[1].text : words[0].text;
    if (starts_with(end_word, "-")) end_word = end_word.substr(1);  // "<<-EOF"
  }
  return out;
}

// "bash -lc 'git status'" -> "git status" (how Codex may wrap a command).
std::string unwrap_shell(const std::string& cmd) {
  for (const char* prefix : {"/bin/bash -lc ", "bash -lc ", "/bin/sh -c ", "sh -c ", "bash -c ", "/bin/bash -c "}) {
    if (!starts_with(cmd, prefix)) continue;
    const auto w = shell_words(cmd.substr(std::string(prefix).size()));
    if (w.size() == 1) return w[0].text;
  }
  return cmd;
}

std::string relative(std::string s, const std::string& project) {
  if (project.empty() || project == "all") return s;
  for (const std::string& p : {project + "/", project}) {
    for (auto at = s.find(p); at != std::string::npos; at = s.find(p, at))
      s.replace(at, p.size(), p.back() == '/' ? "" : ".");
  }
  return s;
}

std::string flatten(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  return truncate_utf8(trim(out), 200);
}

std::string digits_abstracted(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      while (i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9') ++i;
      out += "<n>";
    } else {
      out += s[i];
    }
  }
  return out;
}

// The simple commands of one line, as written: split on unquoted &&, ||, ; and a lone &.
std::vector<std::string> simple_commands(const std::string& line) {
  std::vector<std::string> out(1);
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if ((c == '&' || c == '|') && i + 1 < line.size() && line[i + 1] == c) {
      out.emplace_back();
      ++i;
      continue;
    } else if (c == ';' || (c == '&' && (i + 1 == line.size() || line[i + 1] != '>') &&
                            (i == 0 || (line[i - 1] != '>' && line[i - 1] != '<')))) {
      out.emplace_back();
      continue;
    }
    out.back() += c;
  }
  return out;
}

// `part` without leading VAR=value assignments and without a here-document's marker ("<<EOF").
std::string command_text(const std::string& part) {
  std::string t = trim(part);
  while (true) {
    const auto eq = t.find('=');
    const auto sp = t.find(' ');
    if (eq == std::string::npos || sp == std::string::npos || eq > sp || eq == 0) break;
    const bool name = std::all_of(t.begin(), t.begin() + static_cast<long>(eq), [](char c) {
      return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    });
    if (!name) break;
    t = trim(t.substr(sp + 1));
  }
  char quote = 0;
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (quote) {
      if (t[i] == quote) quote = 0;
    } else if (t[i] == '\'' || t[i] == '"') {
      quote = t[i];
    } else if (t[i] == '<' && t[i + 1] == '<' && (i + 2 >= t.size() || t[i + 2] != '<')) {
      return trim(t.substr(0, i));  // the here-document's marker and body are data, not the step
    }
  }
  return t;
}

// Adds the steps of one command line: a run step per simple command (`cd` left out), a
// write step per file it redirects into; a writer (cat, echo, printf, tee) whose output only
// goes to a file is just the write.
void add_steps(const std::string& line, const std::string& project, std::vector<ProcedureStep>& out) {
  for (const auto& part : simple_commands(line)) {
    const std::string text = command_text(part);
    const auto words = shell_words(text);
    if (words.empty() || words[0].text == "cd") continue;
    std::vector<std::string> written;
    bool piped = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (words[i].quoted) continue;
      piped = piped || words[i].text == "|";
      const bool redirect = words[i].text == ">" || words[i].text == ">>";
      const bool tee = words[i].text == "tee" && (i == 0 || words[i - 1].text == "|");
      if ((redirect || tee) && i + 1 < words.size() && !starts_with(words[i + 1].text, "-") &&
          !starts_with(words[i + 1].text, "/dev/") && !starts_with(words[i + 1].text, "&"))
        written.push_back(relative(words[i + 1].text, project));
    }
    const bool only_writes = !written.empty() && !piped && kWriters.count(words[0].text);
    if (!only_writes) out.push_back({StepKind::kRun, flatten(relative(text, project)), 1});
    for (const auto& f : written) out.push_back({StepKind::kWrite, flatten(f), 1});
  }
}

// A placeholder for the words that differ between sessions.
std::string placeholder(const std::vector<std::string>& values) {
  const bool numbers = std::all_of(values.begin(), values.end(), [](const std::string& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
  if (numbers) return "<n>";
  const bool files = std::all_of(values.begin(), values.end(), [](const std::string& v) {
    return v.find('/') != std::string::npos || v.find('.') != std::string::npos;
  });
  return files ? "<file>" : "<arg>";
}

// One text for a step several sessions wrote differently: equal words kept, the rest abstracted.
std::string abstracted(const std::vector<std::string>& texts, const std::string& key) {
  if (std::all_of(texts.begin(), texts.end(), [&](const std::string& t) { return t == texts.front(); }))
    return texts.front();
  std::vector<std::vector<std::string>> words;
  for (const auto& t : texts) words.push_back(split(t, ' '));
  const std::size_t n = words.front().size();
  if (!std::all_of(words.begin(), words.end(), [&](const auto& w) { return w.size() == n; })) return key + " …";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::string> at;
    for (const auto& w : words) at.push_back(w[i]);
    const bool same = std::all_of(at.begin(), at.end(), [&](const std::string& x) { return x == at.front(); });
    out += (i ? " " : "") + (same ? at.front() : placeholder(at));
  }
  return out;
}

}  // namespace

std::vector<ProcedureStep> session_steps(const std::vector<CommandRun>& commands, const std::string& project) {
  std::vector<ProcedureStep> out;
  for (const auto& c : commands) {
    if (c.failed || (c.exit_code && *c.exit_code != 0)) continue;  // the procedure is what worked
    for (const auto& line : split(drop_heredoc_bodies(unwrap_shell(c.command)), '\n'))
      if (!trim(line).empty()) add_steps(line, project, out);
  }
  std::set<std::string> seen;
  out.erase(std::remove_if(out.begin(), out.end(), [&](const ProcedureStep& s) {
              return s.text.empty() || !seen.insert(to_string(s.kind) + std::string(":") + step_key(s)).second;
            }),
            out.end());
  return out;
}

std::string step_key(const ProcedureStep& step) {
  if (step.kind == StepKind::kWrite) return digits_abstracted(step.text);
  std::string key;
  std::vector<std::string> flags;
  std::string program;
  bool expect_program = true, took_sub = false;
  auto close_part = [&] {
    std::sort(flags.begin(), flags.end());
    std::string part = program;
    for (const auto& f : flags) part += " " + f;
    if (!part.empty()) key += (key.empty() ? "" : " | ") + part;
    flags.clear();
    program.clear();
    expect_program = true;
    took_sub = false;
  };
  for (const auto& w : shell_words(step.text)) {
    if (!w.quoted && w.text == "|") {
      close_part();
    } else if (expect_program) {
      program = w.text.substr(w.text.rfind('/') == std::string::npos ? 0 : w.text.rfind('/') + 1);
      expect_program = false;
    } else if (!w.quoted && starts_with(w.text, "-")) {
      flags.push_back(w.text.substr(0, w.text.find('=')));
    } else if (!took_sub && flags.empty() && kWithSubcommand.count(program)) {
      program += " " + w.text;
      took_sub = true;
    }
  }
  close_part();
  return key;
}

std::vector<ProcedureStep> common_procedure(const std::vector<std::vector<ProcedureStep>>& sessions,
                                            std::size_t max_steps) {
  struct Stat {
    ProcedureStep step;
    std::vector<std::string> texts;
    double pos = 0;
    std::size_t first = 0;
  };
  std::vector<Stat> stats;
  std::map<std::string, std::size_t> index;
  for (const auto& steps : sessions) {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string key = to_string(steps[i].kind) + std::string(":") + step_key(steps[i]);
      auto [it, added] = index.emplace(key, stats.size());
      if (added) stats.push_back({{steps[i].kind, step_key(steps[i]), 0}, {}, 0, stats.size()});
      Stat& s = stats[it->second];
      ++s.step.support;
      s.texts.push_back(steps[i].text);
      s.pos += steps.size() > 1 ? static_cast<double>(i) / static_cast<double>(steps.size() - 1) : 0.0;
    }
  }
  const int n = static_cast<int>(sessions.size());
  const int need = n > 1 ? std::max(2, (n + 1) / 2) : 1;
  std::vector<Stat> kept;
  for (auto& s : stats)
    if (s.step.support >= need) kept.push_back(std::move(s));
  std::stable_sort(kept.begin(), kept.end(), [](const Stat& a, const Stat& b) {
    const double pa = a.pos / a.step.support, pb = b.pos / b.step.support;
    if (pa < pb - 1e-9 || pa > pb + 1e-9) return pa < pb;
    return a.first < b.first;
  });
  std::vector<ProcedureStep> out;
  for (const auto& s : kept) {
    if (out.size() == max_steps) break;
    out.push_back({s.step.kind, abstracted(s.texts, s.step.text), s.step.support});
  }
  return out;
}

}  // namespace skillpipe::mine_patterns
