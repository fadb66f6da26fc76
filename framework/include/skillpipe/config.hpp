// config.hpp - a read-only view of one stage's configuration.
//
// The host converts the YAML `config:` block to JSON, validates it against the plugin's
// schema, then hands the plugin a Config. Getters throw ConfigError naming the key's JSON
// pointer when the value has the wrong type; a missing key yields the default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/abi.hpp"

namespace skillpipe {

class SKILLPIPE_VISIBLE Config {
 public:
  Config();  // an empty object
  // Parses a JSON object; throws ConfigError if `json` is not one.
  static Config parse(std::string_view json, std::string pointer = {});

  bool has(std::string_view key) const;
  std::vector<std::string> keys() const;

  std::string get_string(std::string_view key, std::string_view def = {}) const;
  std::int64_t get_int(std::string_view key, std::int64_t def = 0) const;
  double get_double(std::string_view key, double def = 0) const;
  bool get_bool(std::string_view key, bool def = false) const;
  std::vector<std::string> get_string_list(std::string_view key) const;
  std::vector<double> get_double_list(std::string_view key) const;
  Config get_object(std::string_view key) const;              // empty Config if missing
  std::vector<Config> get_object_list(std::string_view key) const;
  std::string get_json(std::string_view key) const;           // raw JSON text, "" if missing

  std::string json() const;                  // compact JSON of this object
  const std::string& pointer() const { return pointer_; }  // e.g. "/judges/0"

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string pointer_;
};

}  // namespace skillpipe
