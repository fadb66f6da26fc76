#include "install_documents.hpp"

#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {

std::string skill_name_of(const std::string& text) {
  const auto lines = split(text, '\n');
  if (lines.empty() || trim(lines[0]) != "---") return {};
  for (std::size_t i = 1; i < lines.size() && trim(lines[i]) != "---"; ++i) {
    const std::string l = trim(lines[i]);
    if (!starts_with(l, "name:")) continue;
    std::string v = trim(l.substr(5));
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    return v;
  }
  return {};
}

std::vector<std::string> install_documents(Agent agent, const std::string& cwd, const ReplayDocs& docs) {
  std::vector<std::string> written;
  const bool claude = agent == Agent::kClaude;
  if (!docs.skill_name.empty()) {
    const std::string& n = docs.skill_name;
    if (n == "." || n == ".." || n.find_first_of("/\\") != std::string::npos || n.find('\0') != std::string::npos)
      throw Error("the skill name '" + n + "' cannot be a folder name; skill names are plain words like release-notes");
    const std::string rel = std::string(claude ? ".claude" : ".agents") + "/skills/" + n + "/SKILL.md";
    ensure_dir(fs::path(cwd + "/" + rel).parent_path().string());
    atomic_write_file(cwd + "/" + rel, docs.skill_text);
    written.push_back(rel);
  }
  const std::string memory = claude ? "CLAUDE.md" : "AGENTS.md";
  std::error_code ec;
  if (!docs.memory_text.empty()) {
    atomic_write_file(cwd + "/" + memory, docs.memory_text);
    written.push_back(memory);
  } else if (fs::exists(cwd + "/" + memory, ec)) {
    fs::remove(cwd + "/" + memory, ec);
    if (ec) throw Error("cannot remove " + cwd + "/" + memory + " from the replay workspace: " + ec.message());
    written.push_back(memory);
  }
  return written;
}

std::string documents_hash(const ReplayDocs& docs) {
  // Length-prefixed so no two different triples hash alike.
  std::string m;
  for (const std::string* s : {&docs.skill_name, &docs.skill_text, &docs.memory_text})
    m += std::to_string(s->size()) + ":" + *s + ";";
  return sha256_hex(m);
}

}  // namespace skillpipe::backend_agent
