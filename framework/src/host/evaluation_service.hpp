// evaluation_service.hpp - replays tasks under a skill + memory and scores them, in parallel.
#pragma once

#include <map>
#include <string>

#include "host/basic_context.hpp"
#include "skillpipe/evaluation.hpp"

namespace skillpipe::host {

// The default attempt prompt. Placeholders: {{skill}}, {{memory}}, {{task_system}},
// {{intent}}, {{context}}. A pipeline may override it with `templates: {attempt: FILE}`.
extern const char* const kDefaultAttemptTemplate;
// The template is checked with unknown_placeholders() and rendered with render_template()
// (skillpipe/kit/util.hpp).

class HostEvaluationService : public EvaluationService {
 public:
  HostEvaluationService(Services* services, std::string attempt_template, int parallelism);
  EvalResult evaluate(const EvalRequest& request, Context& ctx) override;

 private:
  Services* services_;
  std::string attempt_template_;
  int parallelism_;
};

}  // namespace skillpipe::host
