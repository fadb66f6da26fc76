// scaffold/templates.hpp - the files `skillpipe new-plugin` writes: one source per kind
// (scaffold/<kind>.cpp), the CMake project, test and README around it (scaffold/files.cpp).
//
// Templates use @NAME@ (plugin name), @KIND@ (harvester, judge, ...), @CAMEL@ (NameInCamelCase),
// @SDK_MAJOR_MINOR@ (e.g. 0.1) and @KIND_ENUM@ (kJudge, ...).
#pragma once

#include <string>
#include <vector>

namespace skillpipe::app::scaffold {

struct File {
  std::string path;  // relative to the new plugin folder
  std::string content;
};

// The kinds a plugin can be, as written on the command line.
const std::vector<std::string>& kinds();

// The source of a minimal working plugin of `kind` (scaffold/<kind>.cpp).
const char* kind_source(const std::string& kind);

extern const char* const kHarvesterSource;
extern const char* const kMinerSource;
extern const char* const kJudgeSource;
extern const char* const kConsolidatorSource;
extern const char* const kStoreSource;
extern const char* const kBackendSource;
// Extra options for the conformance test of `kind` (C++ statements on `o`).
const char* kind_test_options(const std::string& kind);

// Every file of the folder, placeholders substituted.
std::vector<File> plugin_files(const std::string& name, const std::string& kind);

}  // namespace skillpipe::app::scaffold
