// new_plugin_templates.hpp - the files `skillpipe new-plugin` writes.
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

// The source of a minimal working plugin of `kind` (new_plugin_sources.cpp, store and
// backend in new_plugin_sources2.cpp).
const char* kind_source(const std::string& kind);
// Extra options for the conformance test of `kind` (C++ statements on `o`).
const char* kind_test_options(const std::string& kind);

// Every file of the folder, placeholders substituted.
std::vector<File> plugin_files(const std::string& name, const std::string& kind);

}  // namespace skillpipe::app::scaffold
