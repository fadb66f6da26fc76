// evaluation_service.hpp - replays tasks under a skill + memory and scores them, in parallel.
#pragma once

#include <map>
#include <string>

#include "host/basic_context.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/evaluation.hpp"

namespace skillpipe::host {

// The default attempt prompt. Placeholders: {{skill}}, {{memory}}, {{task_system}},
// {{intent}}, {{context}}. A pipeline may override it with `templates: {attempt: FILE}`.
extern const char* const kDefaultAttemptTemplate;
// The template is checked with unknown_placeholders() and rendered with render_template()
// (skillpipe/kit/util.hpp).

struct Batch;

// Replays every (task, sample) on `parallelism` threads, scores each answer with the judges
// that handle the task, aggregates per task and persists replays and verdicts in the night.
class HostEvaluationService : public EvaluationService {
 public:
  HostEvaluationService(Services* services, std::string attempt_template, int parallelism);
  EvalResult evaluate(const EvalRequest& request, Context& ctx) override;

 private:
  // The replay prompt of one sample: the attempt template around the skill and memory.
  ChatRequest attempt_request(const EvalRequest& req, const TaskRecord& task, int sample, int rollouts,
                              const std::string& draw) const;
  class Foresight;  // a backend's Lookahead told about one batch
  void work(Batch& batch, const Foresight& ahead, Context& ctx) const;

  Services* services_;
  std::string attempt_template_;
  int parallelism_;
};

}  // namespace skillpipe::host
