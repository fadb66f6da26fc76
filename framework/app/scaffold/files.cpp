// scaffold/files.cpp - the build file, conformance test, README and test data of a plugin
// folder made by `skillpipe new-plugin`, placeholders substituted.
#include <cctype>

#include "scaffold/templates.hpp"
#include "skillpipe/abi.hpp"

namespace skillpipe::app::scaffold {
namespace {

const char* const kCMakeLists = R"TPL(# @NAME@ - a skillpipe @KIND@ plugin (made by `skillpipe new-plugin`).
#
# On its own, against an installed skillpipe:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<skillpipe prefix>
#   cmake --build build && ctest --test-dir build --output-on-failure
#   skillpipe run pipeline.yaml --plugin-path build/plugins
# Inside the skillpipe source tree (plugins/@NAME@/) it builds with the other plugins and
# tests/conformance runs the same conformance checks on it.
cmake_minimum_required(VERSION 3.25)
if(NOT TARGET skillpipe::sdk)
  project(@NAME@ VERSION 0.1.0 LANGUAGES CXX)
  find_package(skillpipe @SDK_MAJOR_MINOR@ REQUIRED)
  enable_testing()
endif()

skillpipe_add_plugin(@NAME@ KIND @KIND@ SOURCES @NAME@.cpp)
skillpipe_add_conformance_test(@NAME@ SOURCES test/@NAME@_conformance_test.cpp)
)TPL";

const char* const kTest =
    R"TPL(// The skillpipe conformance harness on @NAME@: descriptor, schema, unknown keys refused,
// create -> configure -> finish -> destroy, and the @KIND@ checks. Add your own tests below.
#include <skillpipe/testing/conformance.hpp>

namespace {

skillpipe::testing::conformance::Options options() {
  skillpipe::testing::conformance::Options o;
  o.plugin_file = SKILLPIPE_PLUGIN_FILE;  // set by skillpipe_add_conformance_test()
  o.kind = skillpipe::StageKind::@KIND_ENUM@;
@TEST_OPTIONS@  return o;
}

}  // namespace

SKILLPIPE_CONFORMANCE_TESTS(@CAMEL@, options)
)TPL";

const char* const kReadme = R"TPL(# @NAME@

A skillpipe **@KIND@** plugin, made by `skillpipe new-plugin @NAME@ --kind @KIND@`.

## Build and test

Against an installed skillpipe (`cmake --install` of skillpipe, or a package):

    cmake -S . -B build -DCMAKE_PREFIX_PATH=/path/to/skillpipe/prefix
    cmake --build build
    ctest --test-dir build --output-on-failure

The test runs the SDK's conformance harness (`skillpipe/testing/conformance.hpp`) on the
built `build/plugins/libskillpipe_@NAME@.so`, loaded the way skillpipe loads it.

Inside the skillpipe source tree, put this folder under `plugins/`: it builds with the other
plugins, and `tests/conformance` runs the same checks on it.

## Use

    skillpipe describe @NAME@ --plugin-path build/plugins
    skillpipe run pipeline.yaml --plugin-path build/plugins

or put `plugin_path: [build/plugins]` in the pipeline, or install it next to skillpipe's own
plugins (`cmake --install build --prefix <skillpipe prefix>`).

## Compatibility

The plugin must be built with the same compiler (major version), libstdc++ and C++ standard
as the skillpipe that loads it, against an SDK with the same major.minor version; skillpipe
refuses anything else with a message naming the mismatch. See docs/plugins.md in skillpipe.
)TPL";

// The harvester's fixture home: one session per file, as most agents write them.
const char* const kHarvesterSession1 =
    R"({"session":"s-1","project":"/tmp/@NAME@-example","time":"2026-01-05T10:00:00Z","role":"user","text":"run the unit tests"}
{"session":"s-1","project":"/tmp/@NAME@-example","time":"2026-01-05T10:01:00Z","role":"tool","tool":"bash","ok":true}
{"session":"s-1","project":"/tmp/@NAME@-example","time":"2026-01-05T10:02:00Z","role":"assistant","text":"All tests pass."}
)";
const char* const kHarvesterSession2 =
    R"({"session":"s-2","project":"/tmp/@NAME@-example","time":"2026-01-06T09:00:00Z","role":"user","text":"write the release notes"}
{"session":"s-2","project":"/tmp/@NAME@-example","time":"2026-01-06T09:05:00Z","role":"assistant","text":"Done, see CHANGELOG.md."}
)";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
  return s;
}

std::string camel(const std::string& name) {
  std::string out;
  bool up = true;
  for (char c : name) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out;
}

std::string kind_enum(const std::string& kind) {
  std::string k = kind;
  k[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(k[0])));
  return "k" + k;
}

std::string sdk_major_minor() {
  const std::string v = SKILLPIPE_SDK_VERSION;
  return v.substr(0, v.rfind('.'));
}

}  // namespace

const char* kind_test_options(const std::string& kind) {
  if (kind == "harvester")
    return "  // The fixture home in testdata/; harvest() must find both sessions in it.\n"
           "  o.config = R\"({\"home\":\")\" + std::string(SKILLPIPE_PLUGIN_SOURCE_DIR) +\n"
           "             R\"(/testdata/home\",\"lookback_hours\":0,\"project_scope\":\"all\"})\";\n"
           "  o.min_digests = 2;\n";
  if (kind == "store")
    return "  o.config = R\"({\"root\":\"@TMP@/store\"})\";  // @TMP@: a fresh temporary directory\n";
  if (kind == "backend") return "  o.config = R\"({\"answers\":{\"t1\":\"42\"},\"default_answer\":\"no idea\"})\";\n";
  if (kind == "miner") return "  o.config = R\"({\"min_count\":2})\";\n";
  return "";
}

std::vector<File> plugin_files(const std::string& name, const std::string& kind) {
  auto fill = [&](std::string s) {
    s = replace_all(s, "@TEST_OPTIONS@", kind_test_options(kind));
    s = replace_all(s, "@NAME@", name);
    s = replace_all(s, "@KIND@", kind);
    s = replace_all(s, "@CAMEL@", camel(name));
    s = replace_all(s, "@KIND_ENUM@", kind_enum(kind));
    return replace_all(s, "@SDK_MAJOR_MINOR@", sdk_major_minor());
  };
  std::vector<File> files = {
      {"CMakeLists.txt", fill(kCMakeLists)},
      {name + ".cpp", fill(kind_source(kind))},
      {"test/" + name + "_conformance_test.cpp", fill(kTest)},
      {"README.md", fill(kReadme)},
  };
  if (kind == "harvester") {
    files.push_back({"testdata/home/s-1.jsonl", fill(kHarvesterSession1)});
    files.push_back({"testdata/home/s-2.jsonl", fill(kHarvesterSession2)});
  }
  return files;
}

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> k = {"harvester", "miner", "judge", "consolidator", "store", "backend"};
  return k;
}

const char* kind_source(const std::string& kind) {
  if (kind == "harvester") return kHarvesterSource;
  if (kind == "miner") return kMinerSource;
  if (kind == "judge") return kJudgeSource;
  if (kind == "consolidator") return kConsolidatorSource;
  if (kind == "store") return kStoreSource;
  if (kind == "backend") return kBackendSource;
  return nullptr;
}

}  // namespace skillpipe::app::scaffold
