// fuzz_file.hpp - the harvester harnesses' input as a real file: the parsers read a path
// (plain or .zst, through kit/harvest_reader), so each input is written to one file per
// fuzzing process under /dev/shm (tmpfs: no disk I/O per execution).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::fuzz {

// Writes `data` to <tmp>/skillpipe-fuzz-<pid>/input.jsonl, or input.jsonl.zst when the data
// starts with the zstd frame magic (so the corpus exercises both readers). Aborts on an I/O
// error: a harness that silently parses nothing would report a clean run.
inline std::string write_input(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    const char* shm = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string d = std::string(shm) + "/skillpipe-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  const bool zst = size >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F && data[3] == 0xFD;
  const std::string path = dir + (zst ? "/input.jsonl.zst" : "/input.jsonl");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

// The job a first read of the file gets: everything in scope, no time window.
inline harvest::Options all_in_scope() {
  harvest::Options o;
  o.home = "/";
  o.scope = harvest::ProjectScope::kAll;
  o.lookback_hours = 0;
  o.settle_minutes = 0;
  return o;
}

inline harvest::FileJob first_read(const std::string& path) {
  harvest::FileJob job;
  auto info = harvest::stat_file(path);
  if (!info) std::abort();
  job.file = *info;
  job.now_ms = 1767225600000;  // 2026-01-01: fixed, so a run is reproducible
  return job;
}

}  // namespace skillpipe::fuzz
