// layout.hpp - where everything lives under the store root.
//
//   <root>/cache/<k0k1>/<k2k3>/<key>                 response cache (all projects)
//   <root>/adopt.lock                                held by any project's adoption (below)
//   <root>/projects/<slug>/project.json             which project path this slug is
//   <root>/projects/<slug>/run.lock                 held by the run that owns the project
//   <root>/projects/<slug>/state/<key>              per-project state (cursors, archive, ...)
//   <root>/projects/<slug>/nights/<id>/             one night:
//       night.json, streams/<s>.jsonl, artifacts/..., proposed/..., diffs/...,
//       report.json, report.md, manifest.json (last: the publication marker)
//   <root>/projects/<slug>/adoption/                adopt.lock, journal.json (only mid-
//       transaction), receipts.jsonl (one line per version), blobs/<aa>/<sha256>
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::store_files {

// An absolute, normalized, symlink-resolved project path ("all" stays "all"), so `status`
// run from the project directory finds what `run` wrote for it.
std::string normalize_project(std::string_view project);

struct Layout {
  std::string root;
  std::string project;
  std::string slug;

  Layout(std::string root_dir, std::string_view project_path);

  std::string project_dir() const { return root + "/projects/" + slug; }
  std::string nights_dir() const { return project_dir() + "/nights"; }
  std::string night_dir(const std::string& id) const { return nights_dir() + "/" + id; }
  std::string state_dir() const { return project_dir() + "/state"; }
  std::string run_lock() const { return project_dir() + "/run.lock"; }
  std::string adoption_dir() const { return project_dir() + "/adoption"; }
  std::string adopt_lock() const { return adoption_dir() + "/adopt.lock"; }
  // Every project's adoption takes this one too: user-level skill roots (~/.claude/skills)
  // are shared between projects, so two projects' adoptions must not interleave there.
  std::string store_adopt_lock() const { return root + "/adopt.lock"; }
  std::string journal() const { return adoption_dir() + "/journal.json"; }
  std::string receipts() const { return adoption_dir() + "/receipts.jsonl"; }
  std::string blob(const std::string& sha) const { return adoption_dir() + "/blobs/" + sha.substr(0, 2) + "/" + sha; }
};

std::string cache_path(const std::string& root, std::string_view key);
std::string state_file_name(std::string_view key);
// A file name safe in one path segment: letters, digits, '.', '_', '-'; not starting with '.'.
bool is_safe_segment(std::string_view s, std::size_t max_len = 128);

// A path segment of an artifact: any printable name except "", ".", "..", or one starting
// with '.' (temp files start with '.'), at most 200 bytes.
bool is_safe_artifact_segment(std::string_view s);

struct NightEntry {
  std::string id;
  long number = 0;
  std::string dir;
  bool published = false;  // manifest.json exists
  bool abandoned = false;  // superseded by a newer night without being finished
};
// The project's nights, oldest first.
std::vector<NightEntry> list_nights(const Layout& layout);

// Lines of a JSONL file, without a torn (unterminated) last line or empty lines.
std::vector<std::string> read_jsonl_lines(const std::string& path);

}  // namespace skillpipe::store_files
