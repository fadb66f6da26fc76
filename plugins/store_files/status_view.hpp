// status_view.hpp - `skillpipe status` and `skillpipe history`: what happened last night,
// what is pending, what was adopted, and the exact next command.
#pragma once

#include <string>

#include "durable_fs.hpp"
#include "layout.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::store_files {

CommandResult render_status(const Layout& layout, FaultInjector& fi, const std::string& store_arg, bool json);
CommandResult render_history(const Layout& layout, FaultInjector& fi, const std::string& store_arg, bool json);

}  // namespace skillpipe::store_files
