#include "layout.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "durable_fs.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::store_files {

std::string normalize_project(std::string_view project) {
  if (project.empty()) throw Error("store_files: no project given");
  if (project == "all") return "all";
  fs::path p(expand_path(project));
  std::error_code ec;
  if (p.is_relative()) p = fs::absolute(p, ec);
  std::string out = real_path(p.lexically_normal().string());
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Layout::Layout(std::string root_dir, std::string_view project_path)
    : root(std::move(root_dir)), project(normalize_project(project_path)), slug(project_slug(project)) {}

bool is_safe_segment(std::string_view s, std::size_t max_len) {
  if (s.empty() || s.size() > max_len || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool is_safe_artifact_segment(std::string_view s) {
  if (s.empty() || s.size() > 200 || s[0] == '.') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
}

std::string cache_path(const std::string& root, std::string_view key) {
  // Callers pass a hash already; anything else is hashed so it is a safe file name.
  const bool hashy = key.size() >= 8 && key.size() <= 128 && std::all_of(key.begin(), key.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
                     });
  const std::string k = hashy ? std::string(key) : sha256_hex(key);
  return root + "/cache/" + k.substr(0, 2) + "/" + k.substr(2, 2) + "/" + k;
}

std::string state_file_name(std::string_view key) {
  if (is_safe_segment(key, 120)) return std::string(key);
  // Keys like "mine_tasks/splits": a readable name, made unique by a hash of the real key.
  std::string name;
  for (char c : key.substr(0, 80)) {
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_';
  }
  while (!name.empty() && name[0] == '.') name[0] = '_';
  return name + "-" + sha256_hex(key).substr(0, 12);
}

std::vector<NightEntry> list_nights(const Layout& layout) {
  std::vector<NightEntry> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(layout.nights_dir(), ec)) {
    const std::string name = e.path().filename().string();
    const auto dash = name.find('-');
    if (dash == std::string::npos || dash == 0 || !e.is_directory(ec)) continue;
    if (!std::all_of(name.begin(), name.begin() + static_cast<long>(dash), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    NightEntry n;
    n.id = name;
    n.number = std::strtol(name.substr(0, dash).c_str(), nullptr, 10);
    n.dir = e.path().string();
    n.published = path_exists(n.dir + "/manifest.json");
    n.abandoned = !n.published && path_exists(n.dir + "/ABANDONED");
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const NightEntry& a, const NightEntry& b) {
    return a.number != b.number ? a.number < b.number : a.id < b.id;
  });
  return out;
}

std::vector<std::string> read_jsonl_lines(const std::string& path) {
  std::vector<std::string> out;
  const auto text = read_bytes(path);
  if (!text) return out;
  std::size_t start = 0;
  while (start < text->size()) {
    const auto nl = text->find('\n', start);
    if (nl == std::string::npos) break;  // torn tail: never acknowledged to a writer
    if (nl > start) out.emplace_back(text->substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace skillpipe::store_files
