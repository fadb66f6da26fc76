#include "host/plugin_registry.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "sdk/suggest.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {

PluginLoadError::PluginLoadError(const std::string& path, const std::string& reason)
    : Error(path + ": " + reason), path_(path) {}

std::string plugin_file_name(const std::string& name) { return "libskillpipe_" + name + ".so"; }

std::vector<std::string> plugin_search_dirs(const std::vector<std::string>& cli_dirs,
                                            const std::vector<std::string>& pipeline_dirs) {
  std::vector<std::string> dirs;
  std::set<std::string> seen;
  auto add = [&](const std::string& d) {
    if (d.empty()) return;
    std::error_code ec;
    std::string abs = fs::absolute(expand_path(d), ec).lexically_normal().string();
    if (seen.insert(abs).second) dirs.push_back(abs);
  };
  for (const auto& d : cli_dirs) add(d);
  for (const auto& d : pipeline_dirs) add(d);
  if (const char* env = std::getenv("SKILLPIPE_PLUGIN_PATH"))
    for (const auto& d : split(env, ':')) add(d);
  std::error_code ec;
  fs::path exe = boost::dll::program_location(ec);
  if (!ec) add((exe.parent_path().parent_path() / SKILLPIPE_PLUGIN_SUBDIR).string());
  add(SKILLPIPE_INSTALL_PLUGIN_DIR);
  return dirs;
}

PluginRegistry::PluginRegistry(std::vector<std::string> search_dirs) : dirs_(std::move(search_dirs)) {}
PluginRegistry::~PluginRegistry() = default;

std::string PluginRegistry::find(const std::string& name) const {
  for (const auto& d : dirs_) {
    fs::path p = fs::path(d) / plugin_file_name(name);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

std::vector<std::pair<std::string, std::string>> PluginRegistry::discover() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& d : dirs_) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d, ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      std::string fname = p.filename().string();
      if (!fname.starts_with("libskillpipe_") || !fname.ends_with(".so")) continue;
      std::string name = fname.substr(13, fname.size() - 16);
      if (seen.insert(name).second) out.emplace_back(name, p.string());
    }
  }
  return out;
}

const LoadedPlugin& PluginRegistry::load(const std::string& name) {
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
  std::string path = find(name);
  if (path.empty()) {
    std::string where;
    for (const auto& d : dirs_) where += "\n  " + d;
    std::vector<std::string> installed;
    for (const auto& [n, p] : discover()) installed.push_back(n);
    throw PluginLoadError(plugin_file_name(name), "plugin '" + name + "' not found" +
                                                      detail::did_you_mean(name, installed) + "; searched:" +
                                                      (where.empty() ? " (nowhere)" : where));
  }
  return load_file(path);
}

std::string descriptor_problem(const PluginDescriptor& desc, const HostAbi& host) {
  const std::string ours = std::to_string(host.major) + "." + std::to_string(host.minor);
  const std::string theirs = std::to_string(desc.abi_major) + "." + std::to_string(desc.abi_minor);
  if (desc.abi_major != host.major)
    return "built for plugin ABI " + theirs + ", this skillpipe speaks ABI " + ours +
           "; rebuild the plugin against this SDK";
  if (desc.abi_minor > host.minor)
    return "needs plugin ABI " + theirs + ", newer than this skillpipe's " + ours +
           "; upgrade skillpipe or rebuild the plugin";
  if (!desc.build_tag || std::string(desc.build_tag) != host.build_tag)
    return std::string("build tag '") + (desc.build_tag ? desc.build_tag : "(null)") + "' does not match this skillpipe's '" +
           host.build_tag + "'; plugins must be built with the same compiler, C++ standard and SDK";
  // An older minor loads: its descriptor ends where that minor's did (fields are only appended).
  const std::uint32_t need = host.descriptor_sizes[std::min<std::size_t>(desc.abi_minor, host.descriptor_sizes.size() - 1)];
  if (desc.struct_size < need)
    return "descriptor is too small for ABI " + theirs + " (" + std::to_string(desc.struct_size) + " bytes, expected at least " +
           std::to_string(need) + ")";
  return {};
}

const LoadedPlugin& PluginRegistry::load_file(const std::string& path_in) {
  std::error_code fec;
  const std::string path = fs::absolute(path_in, fec).lexically_normal().string();
  std::string fname = fs::path(path).filename().string();
  std::string name = fname;
  if (name.starts_with("libskillpipe_")) name = name.substr(13);
  if (name.ends_with(".so")) name = name.substr(0, name.size() - 3);
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;

  auto lib = std::make_shared<boost::dll::shared_library>();
  try {
    lib->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginLoadError(path, std::string("cannot load: ") + e.what());
  }
  if (!lib->has(SKILLPIPE_PLUGIN_ENTRY_NAME)) {
    throw PluginLoadError(path, "missing entry symbol '" SKILLPIPE_PLUGIN_ENTRY_NAME
                                "' (not a skillpipe plugin, or built for another ABI major version)");
  }
  const auto& desc = lib->get<const PluginDescriptor>(SKILLPIPE_PLUGIN_ENTRY_NAME);
  if (const std::string why = descriptor_problem(desc, HostAbi{}); !why.empty()) throw PluginLoadError(path, why);
  if (!desc.name || name != desc.name)
    throw PluginLoadError(path, std::string("declares the name '") + (desc.name ? desc.name : "(null)") +
                                    "' but the file is named for '" + name + "'");
  const auto kind = static_cast<std::uint32_t>(desc.kind);
  if (kind < 1 || kind > 6) throw PluginLoadError(path, "unknown plugin kind " + std::to_string(kind));
  if (!desc.create) throw PluginLoadError(path, "descriptor has no factory");

  LoadedPlugin lp{name, path, &desc, lib};
  return loaded_.emplace(name, std::move(lp)).first->second;
}

std::shared_ptr<Component> PluginRegistry::create(const std::string& name) {
  const LoadedPlugin& lp = load(name);
  std::unique_ptr<Component> obj;
  try {
    obj = lp.desc->create();
  } catch (const std::exception& e) {
    throw PluginLoadError(lp.path, std::string("factory threw: ") + e.what());
  } catch (...) {
    throw PluginLoadError(lp.path, "factory threw a non-standard exception");
  }
  if (!obj) throw PluginLoadError(lp.path, "factory returned nothing");
  // The deleter owns the library, so the object's code stays mapped until it is gone.
  auto lib = lp.lib;
  return std::shared_ptr<Component>(obj.release(), [lib](Component* c) { delete c; });
}

std::shared_ptr<Component> PluginRegistry::create_checked(const std::string& name, StageKind kind) {
  const LoadedPlugin& lp = load(name);
  if (lp.desc->kind != kind)
    throw PluginLoadError(lp.path, std::string("is a ") + to_string(lp.desc->kind) + " plugin, expected a " +
                                       to_string(kind));
  return create(name);
}

std::shared_ptr<StageBase> PluginRegistry::create_stage(const std::string& name) {
  const LoadedPlugin& lp = load(name);
  if (lp.desc->kind == StageKind::kStore || lp.desc->kind == StageKind::kBackend)
    throw PluginLoadError(lp.path, std::string("is a ") + to_string(lp.desc->kind) +
                                       " plugin; it belongs under `store:` or `backends:`, not in `stages:`");
  return std::static_pointer_cast<StageBase>(create(name));
}

}  // namespace skillpipe::host
