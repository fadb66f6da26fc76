// input_loan.hpp - a consumer stage's input, lent from the upstream outputs instead of copied.
//
// Digests are streams (usually read from the night's store), so the consumer gets the
// upstream streams one after another and nothing is copied. Tasks and verdicts are vectors:
// a loan moves each upstream vector into the consumer's ConsolidateInput and moves it back
// when the loan ends (also when the stage throws), so the records exist once. An upstream
// listed twice lends its records once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"
#include "host/stage_drivers.hpp"

namespace skillpipe::host {

class InputLoan {
 public:
  InputLoan(std::map<std::string, StageOutput>& outputs, const ComponentSpec& consumer);
  ~InputLoan();
  InputLoan(const InputLoan&) = delete;
  InputLoan& operator=(const InputLoan&) = delete;

  ConsolidateInput& input() { return input_; }

 private:
  struct Lent {
    StageOutput* from;
    std::size_t tasks, verdicts;  // how many of each went into input_
  };
  ConsolidateInput input_;
  std::vector<Lent> lent_;
};

// Frees the records (digest streams, tasks, verdicts) of each output no stage after `done` reads;
// a consolidator's proposals stay, the night's staging needs them. `last_reader` maps a
// stage id to the position (in run order) of the last stage that takes it as an input.
void release_read_inputs(std::map<std::string, StageOutput>& outputs, const ComponentSpec& done,
                         const std::map<std::string, std::size_t>& last_reader, std::size_t done_position);

}  // namespace skillpipe::host
