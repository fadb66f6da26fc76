// Reading the skills that already exist under the configured roots.
#include "skill_catalog.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::consolidate_draft {

std::vector<ExistingSkill> scan_skills(const SkillRoots& roots, Target target, const std::string& project) {
  std::vector<ExistingSkill> out;
  std::set<std::string> seen;
  for (const auto& raw : roots.of(target.agent)) {
    const std::string root = targets::expand_root(raw, project);
    std::error_code ec;
    if (root.empty() || !fs::is_directory(root, ec)) continue;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root, ec)) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
      const std::string name = dir.filename().string();
      const fs::path file = dir / "SKILL.md";
      if (!fs::is_regular_file(file, ec) || seen.count(name)) continue;
      auto text = read_file(file.string());
      if (!text) continue;
      seen.insert(name);
      ExistingSkill s;
      s.target = target;
      s.name = name;
      s.root = root;
      s.path = file.string();
      s.text = std::move(*text);
      s.sha256 = sha256_hex(s.text);
      const SkillFrontmatter fm = parse_skill_frontmatter(s.text);
      s.fm_name = fm.get("name");
      s.description = fm.get("description");
      s.symlink = fs::is_symlink(dir, ec) || fs::is_symlink(file, ec);
      for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename() != "SKILL.md") s.only_skill_md = false;
      out.push_back(std::move(s));
    }
  }
  return out;
}

const ExistingSkill* match_skill(const std::vector<ExistingSkill>& skills, const std::string& name,
                                 const std::string& label, const std::string& skill_hint, double threshold) {
  for (const auto& s : skills)
    if (s.name == name || s.fm_name == name) return &s;
  auto words = [](std::string t) {
    for (char& c : t)
      if (c == '-' || c == '_') c = ' ';
    return intent_tokens(t);
  };
  const auto want = words(label);
  if (want.empty()) return nullptr;
  const ExistingSkill* best = nullptr;
  double best_score = 0;
  for (const auto& s : skills) {
    const auto have = words(s.name + " " + s.fm_name + " " + s.description);
    std::size_t shared = 0;
    for (const auto& w : want) shared += std::binary_search(have.begin(), have.end(), w);
    if (shared < std::min<std::size_t>(2, want.size())) continue;
    double score = static_cast<double>(shared) / static_cast<double>(want.size());
    if (!skill_hint.empty() && (s.name == skill_hint || s.fm_name == skill_hint)) score += 0.25;
    if (score + 1e-12 >= threshold && score > best_score + 1e-12) {
      best = &s;
      best_score = score;
    }
  }
  return best;
}

std::string new_skill_path(const SkillRoots& roots, Target target, const std::string& project,
                           const std::string& scope, const std::string& name) {
  return targets::new_skill_path(roots, target.agent, project, scope == "project", name);
}

}  // namespace skillpipe::consolidate_draft
