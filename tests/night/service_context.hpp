// service_context.hpp - a consolidate stage's context whose evaluation service is the test's
// (evaluator_test.cpp, epoch_test.cpp).
#pragma once

#include "skillpipe/evaluation.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

namespace skillpipe::consolidate_reflect {

class ServiceContext : public skillpipe::testing::conformance::HarnessContext {
 public:
  explicit ServiceContext(EvaluationService& svc) : HarnessContext("consolidate", RunInfo{}), svc_(svc) {}
  EvaluationService* evaluator() override { return &svc_; }

 private:
  EvaluationService& svc_;
};

}  // namespace skillpipe::consolidate_reflect
