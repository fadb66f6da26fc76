#include "documents.hpp"

#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::reflect {

bool is_skill_target(const std::string& t) { return t == "claude_skill" || t == "codex_skill"; }
bool is_memory_target(const std::string& t) { return t == "claude_memory" || t == "codex_memory"; }

std::string expand_root(const std::string& root, const std::string& project) {
  std::string r = root;
  for (auto pos = r.find("{project}"); pos != std::string::npos; pos = r.find("{project}")) r.replace(pos, 9, project);
  return fs::path(expand_path(r)).lexically_normal().string();
}

std::string live_path_for(const std::string& target, const std::string& skill_name, const std::string& claude_root,
                          const std::string& codex_root, const std::string& project) {
  if (target == "claude_memory") return (fs::path(project) / "CLAUDE.md").lexically_normal().string();
  if (target == "codex_memory") return (fs::path(project) / "AGENTS.md").lexically_normal().string();
  const std::string root = expand_root(target == "claude_skill" ? claude_root : codex_root, project);
  return (fs::path(root) / skill_name / "SKILL.md").lexically_normal().string();
}

std::string skill_scaffold(const std::string& name) {
  return "---\nname: " + name +
         "\ndescription: Preferences and procedures learned from your past agent sessions. Use it for every task "
         "in this project.\n---\n\n# " +
         name + "\n\nRules skillpipe learned from your recurring work, kept only when they verifiably helped.\n";
}

DocFile load_document(const std::string& target, const std::string& name, const std::string& path) {
  DocFile d;
  d.target = target;
  d.name = name;
  d.path = path;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!ec && fs::exists(st)) {
    if (!fs::is_regular_file(st)) throw Error(path + ": expected a regular file (the live " + target + " document)");
    auto text = read_file(path);
    if (!text) throw Error(path + ": cannot read the live " + target + " document");
    d.exists = true;
    d.base_text = *text;
    d.base_sha256 = sha256_hex(*text);
    d.text = *text;
  } else {
    d.text = is_skill_target(target) ? skill_scaffold(name) : std::string();
  }
  return d;
}

}  // namespace skillpipe::reflect
