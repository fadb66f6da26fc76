#include "documents.hpp"

#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/targets.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::consolidate_reflect {

std::string live_path_for(Target target, const std::string& skill_name, const std::string& claude_root,
                          const std::string& codex_root, const std::string& project) {
  if (target.kind == DocKind::kMemory) return targets::memory_path(target.agent, project);
  const std::string root = target.agent == Agent::kClaude  ? claude_root
                           : target.agent == Agent::kCodex ? codex_root
                                                           : targets::conventions(target.agent).project_skill_root;
  return targets::skill_path(targets::expand_root(root, project), skill_name);
}

std::string skill_scaffold(const std::string& name) {
  return "---\nname: " + name +
         "\ndescription: Preferences and procedures learned from your past agent sessions. Use it for every task "
         "in this project.\n---\n\n# " +
         name + "\n\nRules skillpipe learned from your recurring work, kept only when they verifiably helped.\n";
}

std::string secret_refusal(const DocFile& doc) {
  const std::string at = first_secret_at(doc.base_text);
  if (at.empty()) return {};
  return doc.path + " holds what looks like a secret at " + at + "; skillpipe never copies a secret into its store, so " +
         "tonight it proposes no change to this file. Move the secret out of it (an environment variable, a secrets " +
         "manager) and the next night can evolve it.";
}

DocFile load_document(Target target, const std::string& name, const std::string& path) {
  DocFile d;
  d.target = target;
  d.name = name;
  d.path = path;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!ec && fs::exists(st)) {
    if (!fs::is_regular_file(st))
      throw Error(path + ": expected a regular file (the live " + to_string(target) + " document)");
    auto text = read_file(path);
    if (!text) throw Error(path + ": cannot read the live " + to_string(target) + " document");
    d.exists = true;
    d.base_text = *text;
    d.base_sha256 = sha256_hex(*text);
    d.text = *text;
  } else {
    d.text = target.kind == DocKind::kSkill ? skill_scaffold(name) : std::string();
  }
  return d;
}

}  // namespace skillpipe::consolidate_reflect
