#include "backend_env.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "skillpipe/config.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {

BackendEnv::BackendEnv(std::string stage_id, std::string pipeline_dir)
    : log_(std::make_shared<std::ostringstream>()) {
  services_.store = &store_;
  RunInfo run;
  run.project = "/test/project";
  run.pipeline_dir = std::move(pipeline_dir);
  ctx_ = std::make_unique<host::BasicContext>(stage_id, run, &services_);
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_);
  ctx_->logger().sinks().push_back(sink);
  ctx_->logger().set_level(spdlog::level::debug);
  registry_ = make_registry();
}

BackendEnv::~BackendEnv() = default;

std::shared_ptr<Backend> BackendEnv::make(const std::string& name, const std::string& config_json) {
  auto b = registry_->create_as<Backend>(name);
  b->configure(Config::parse(config_json), *ctx_);
  return b;
}

ChatRequest user_request(const std::string& text, int max_tokens) {
  ChatRequest r;
  r.messages = {{"user", text}};
  r.max_tokens = max_tokens;
  r.purpose = "replay";
  return r;
}

ScopedEnv::ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) {
    had_ = true;
    old_ = old;
  }
  if (value) {
    ::setenv(name_.c_str(), value, 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

ScopedEnv::~ScopedEnv() {
  if (had_) {
    ::setenv(name_.c_str(), old_.c_str(), 1);
  } else {
    ::unsetenv(name_.c_str());
  }
}

}  // namespace skillpipe::testing
