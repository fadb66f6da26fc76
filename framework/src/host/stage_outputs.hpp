// stage_outputs.hpp - a finished stage's output saved in the night, and read back on resume.
//
// Each stage's output is written as artifacts under stages/<id>.*; the `.done` marker is
// written last, so its presence is what a resumed night trusts.
#pragma once

#include <string>

#include "host/stage_drivers.hpp"

namespace skillpipe {
class Store;
}

namespace skillpipe::host {

void persist_stage_output(Store* store, const std::string& stage_id, const StageOutput& out);
// False when the stage has not finished in this night (or there is no store).
bool load_stage_output(Store* store, const std::string& stage_id, StageOutput& out);

}  // namespace skillpipe::host
