// llm_test_util.hpp - shared set-up of backend_llm tests against the scripted server.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "backend_env.hpp"
#include "scripted_server.hpp"

namespace skillpipe::testing {

inline constexpr const char* kTestKeyEnv = "SKILLPIPE_TEST_LLM_KEY";
inline constexpr const char* kTestKey = "test-key-7f3a9c2e";

// backend_llm pointed at the server with fast retries; `extra` holds more members (JSON,
// without braces), and its keys win over these defaults.
inline std::string llm_config(const ScriptedServer& server, const std::string& extra = {},
                              const std::string& provider = "openai") {
  std::string base = provider == "anthropic" ? server.anthropic_base_url() : server.openai_base_url();
  std::string c = R"({"provider":")" + provider + R"(","base_url":")" + base + R"(","api_key_env":")" + kTestKeyEnv + "\"";
  for (const char* kv : {R"("model":"scripted")", R"("max_retries":3)", R"("backoff_base_s":0.01)", R"("jitter":0)",
                         R"("timeout_s":5)"}) {
    std::string key(kv, std::string(kv).find(':'));
    if (extra.find(key + ":") == std::string::npos) c += std::string(",") + kv;
  }
  if (!extra.empty()) c += "," + extra;
  return c + "}";
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

class BackendsLlm : public ::testing::Test {
 protected:
  ScopedEnv key_{kTestKeyEnv, kTestKey};
  ScriptedServer server_;
  BackendEnv env_;
};

}  // namespace skillpipe::testing
