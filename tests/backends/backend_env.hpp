// backend_env.hpp - what a backend test needs: the plugin loaded from its .so the way the
// host loads it, a BasicContext with an in-memory store, and the context's log captured.
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::testing {

class BackendEnv {
 public:
  explicit BackendEnv(std::string stage_id = "llm/test", std::string pipeline_dir = {});
  ~BackendEnv();

  // Creates plugin `name` and configures it with `config_json` (a JSON object).
  std::shared_ptr<Backend> make(const std::string& name, const std::string& config_json);

  host::BasicContext& ctx() { return *ctx_; }
  MemoryStore& store() { return store_; }
  std::string log() const { return log_->str(); }  // everything the backend logged

 private:
  std::shared_ptr<std::ostringstream> log_;  // first: the context's logger writes to it until the end
  MemoryStore store_{"", ""};  // no night open until a test opens one (next_night)
  host::Services services_;
  std::unique_ptr<host::BasicContext> ctx_;
  std::unique_ptr<host::PluginRegistry> registry_;
};

// A user message request.
ChatRequest user_request(const std::string& text, int max_tokens = 64);

// Sets an environment variable for the test's lifetime, restoring the old value after.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const char* value);  // nullptr unsets
  ~ScopedEnv();

 private:
  std::string name_;
  bool had_ = false;
  std::string old_;
};

}  // namespace skillpipe::testing
