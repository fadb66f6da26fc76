// store_views.hpp - how the store commands show what the store returned: text for people,
// JSON for --json. The store answers with records (skillpipe/store.hpp); everything a user
// reads, including the exact next command, is written here.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/store.hpp"

namespace skillpipe::app {

// The result of a store-backed command.
struct CommandResult {
  int exit_code = 0;            // 0 ok, 1 failed, 2 refused (pin violation, bad argument)
  std::string text;             // for people
  std::string json;             // for --json
};

// The options that select this store again in a printed command: " --pipeline F", " --store
// DIR" (when not the default), or "".
struct StoreSelector {
  std::string project;
  std::string suffix;
};

// Exact, shell-quoted commands for the project (and night).
std::string adopt_command(const StoreSelector& s, const std::string& night_id = {});
std::string rollback_command(const StoreSelector& s);

CommandResult render_status(const ProjectStatus& status, const std::vector<NightReport>& past,
                            const StoreSelector& sel, bool json);
CommandResult render_history(const AdoptionHistory& history, const StoreSelector& sel, bool json);
CommandResult render_adoption(const AdoptionResult& result, const StoreSelector& sel, bool json);

// A failure of the command itself (exit code and message), in both forms.
CommandResult command_error(int exit_code, const std::string& message, bool json);

}  // namespace skillpipe::app
