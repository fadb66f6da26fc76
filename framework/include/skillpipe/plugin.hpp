// plugin.hpp - the one symbol every plugin exports.
//
// Each plugin .so exports `skillpipe_plugin_v2`, a PluginDescriptor. The major ABI version
// is in the symbol name, so a plugin built for another major fails with a clean "missing
// symbol". The first four fields never move; later minors only append fields, and
// `struct_size` tells the host which of them a plugin has.
//
//   SKILLPIPE_PLUGIN(skillpipe::StageKind::kJudge, "1.0.0", "Local rule checks",
//                    kSchemaJson, [] { return std::make_unique<MyJudge>(); });
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>

#include "skillpipe/abi.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {

enum class Stability : std::uint32_t { kDevelopment = 0, kAlpha, kBeta, kStable, kDeprecated };

using PluginFactory = std::unique_ptr<Component> (*)();

struct PluginDescriptor {
  std::uint32_t abi_major;      // never move these four
  std::uint32_t abi_minor;
  const char* build_tag;
  std::uint32_t struct_size;
  const char* name;             // must equal the file name libskillpipe_<name>.so
  StageKind kind;
  const char* version;          // the plugin's own semver
  Stability stability;
  const char* config_schema_json;  // JSON Schema (draft-04) of its `config:` block
  const char* description;
  PluginFactory create;
};

// The descriptor's size at each minor of this ABI major (index = minor): a host accepts a
// plugin of an older minor whose descriptor is at least that minor's size.
inline constexpr std::uint32_t kDescriptorSizeByMinor[] = {
    static_cast<std::uint32_t>(offsetof(PluginDescriptor, create) + sizeof(PluginFactory)),  // x.0
    static_cast<std::uint32_t>(offsetof(PluginDescriptor, create) + sizeof(PluginFactory)),  // 4.1: unchanged
};
static_assert(std::size(kDescriptorSizeByMinor) == SKILLPIPE_ABI_MINOR + 1, "one descriptor size per ABI minor");

}  // namespace skillpipe

// The exported symbol; the ABI major is part of its name.
#define SKILLPIPE_PLUGIN_ENTRY skillpipe_plugin_v2
#define SKILLPIPE_PLUGIN_ENTRY_NAME SKILLPIPE_STR(SKILLPIPE_PLUGIN_ENTRY)

// Defines the exported descriptor. The name comes from the build: skillpipe_add_plugin()
// defines SKILLPIPE_PLUGIN_NAME, so the descriptor's name always matches the file. FACTORY is
// anything callable that returns a std::unique_ptr to the plugin's class.
#define SKILLPIPE_PLUGIN(KIND, VERSION, DESCRIPTION, SCHEMA_JSON, FACTORY)                 \
  extern "C" SKILLPIPE_VISIBLE const ::skillpipe::PluginDescriptor SKILLPIPE_PLUGIN_ENTRY = { \
      SKILLPIPE_ABI_MAJOR,                                                                 \
      SKILLPIPE_ABI_MINOR,                                                                 \
      SKILLPIPE_BUILD_TAG,                                                                 \
      static_cast<std::uint32_t>(sizeof(::skillpipe::PluginDescriptor)),                   \
      SKILLPIPE_PLUGIN_NAME,                                                               \
      KIND,                                                                                \
      VERSION,                                                                             \
      ::skillpipe::Stability::kBeta,                                                       \
      SCHEMA_JSON,                                                                         \
      DESCRIPTION,                                                                         \
      +[]() -> std::unique_ptr<::skillpipe::Component> { return (FACTORY)(); }}
