// project_status.hpp - what `skillpipe status` and `skillpipe history` show, as records: the
// project's nights, what the latest one staged and where each proposal stands against the
// live file now, and every adoption version. The CLI renders them.
#pragma once

#include "durable_fs.hpp"
#include "layout.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::store_files {

// Both first finish an interrupted adoption when nobody else is adopting (noted in `notes`).
ProjectStatus project_status(const Layout& layout, FaultInjector& fi);
AdoptionHistory adoption_history(const Layout& layout, FaultInjector& fi);

}  // namespace skillpipe::store_files
