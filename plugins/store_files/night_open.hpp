// night_open.hpp - the steps of opening a night that decide which night it is: finishing an
// interrupted adoption first, picking the unfinished night to resume or reserving a new one,
// and recording its start time.
#pragma once

#include <string>

#include "durable_fs.hpp"
#include "layout.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::store_files {

// A live file half-way through an interrupted adoption must not become a night's base: rolls
// the journal forward or back (logging what it did), or logs why it cannot.
void recover_adoption(const Layout& layout, FaultInjector& fi, Context& ctx);

// The unfinished night to resume (older unfinished ones are marked abandoned, and so is this
// one when `resume` is off or --restart was given), or a new night whose directory reserves
// its id.
NightHandle pick_night(const Layout& layout, FaultInjector& fi, bool resume, Context& ctx);

// The night's start time: kept from night.json when resuming, written there when new.
std::string record_start(const NightHandle& h, FaultInjector& fi);

}  // namespace skillpipe::store_files
