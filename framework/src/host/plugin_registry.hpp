// plugin_registry.hpp - finds, loads and checks plugin libraries; owns them.
//
// Libraries are loaded with RTLD_NOW | RTLD_LOCAL. Every stage object created here holds a
// reference to its library, so a library is unloaded only after the last object it made is
// destroyed. Load failures throw PluginLoadError naming the file and the reason (exit 3).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace skillpipe::host {

class PluginLoadError : public Error {
 public:
  PluginLoadError(const std::string& path, const std::string& reason);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What this host accepts: its ABI version, build tag and the descriptor size of each of its
// minors (plugin.hpp). Tests pass other values to check the rules.
struct HostAbi {
  std::uint32_t major = SKILLPIPE_ABI_MAJOR;
  std::uint32_t minor = SKILLPIPE_ABI_MINOR;
  std::string build_tag = SKILLPIPE_BUILD_TAG;
  std::vector<std::uint32_t> descriptor_sizes{std::begin(kDescriptorSizeByMinor), std::end(kDescriptorSizeByMinor)};
};

// "" when `desc` may load into `host`; otherwise why not, and what to do. Same major, a minor
// not newer than the host's, the same build tag, and a descriptor at least as large as its
// minor's (a plugin built for an older minor loads into a newer host).
std::string descriptor_problem(const PluginDescriptor& desc, const HostAbi& host);

struct LoadedPlugin {
  std::string name;
  std::string path;                 // absolute
  const PluginDescriptor* desc = nullptr;
  std::shared_ptr<boost::dll::shared_library> lib;
};

// Where plugins are looked for, in order: --plugin-path dirs, the pipeline's plugin_path
// (already resolved against the YAML file), SKILLPIPE_PLUGIN_PATH, the build/install plugin
// directory next to the executable, and the configured install directory.
std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& cli_dirs,
                                            const std::vector<std::string>& pipeline_dirs);

class PluginRegistry {
 public:
  explicit PluginRegistry(std::vector<std::string> search_dirs);
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  const std::vector<std::string>& search_dirs() const { return dirs_; }
  // The file that would be loaded for `name`, or "" if none is found.
  std::string find(const std::string& name) const;
  // Loads (once) and checks the plugin; throws PluginLoadError.
  const LoadedPlugin& load(const std::string& name);
  // Loads a specific file; its name is taken from the file name.
  const LoadedPlugin& load_file(const std::string& path);
  // Every plugin file in the search dirs (first one wins per name), without loading.
  std::vector<std::pair<std::string, std::string>> discover() const;  // (name, path)

  // Creates a component of plugin `name`; the object keeps its library loaded. A factory
  // that throws becomes PluginLoadError.
  std::shared_ptr<Component> create(const std::string& name);
  // Creates a stage (any of the four stage kinds); PluginLoadError for a store or backend.
  std::shared_ptr<StageBase> create_stage(const std::string& name);

  template <class T>
  std::shared_ptr<T> create_as(const std::string& name) {
    return std::static_pointer_cast<T>(create_checked(name, kind_for(static_cast<T*>(nullptr))));
  }

 private:
  static StageKind kind_for(const Harvester*) { return StageKind::kHarvester; }
  static StageKind kind_for(const Miner*) { return StageKind::kMiner; }
  static StageKind kind_for(const Judge*) { return StageKind::kJudge; }
  static StageKind kind_for(const Consolidator*) { return StageKind::kConsolidator; }
  static StageKind kind_for(const Store*) { return StageKind::kStore; }
  static StageKind kind_for(const Backend*) { return StageKind::kBackend; }
  std::shared_ptr<Component> create_checked(const std::string& name, StageKind kind);

  std::vector<std::string> dirs_;
  std::map<std::string, LoadedPlugin> loaded_;  // by name
};

// The plugin file name for a plugin name: libskillpipe_<name>.so
std::string plugin_file_name(const std::string& name);

}  // namespace skillpipe::host
