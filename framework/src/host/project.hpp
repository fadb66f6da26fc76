// project.hpp - which project a command is about.
#pragma once

#include <string>

namespace skillpipe::host {

// The absolute, symlink-free path of a project: "" or "invoked" mean the current directory,
// "all" stays "all", anything else is expanded (~, ${VAR}) and made absolute. Every command
// resolves its project here, so a night staged by `run` is the one `status` finds.
std::string resolve_project(const std::string& project);

// The store directory a command uses when no pipeline names one: --store, else
// $SKILLPIPE_STORE, else ~/.skillpipe, made absolute.
std::string default_store_root(const std::string& cli_store = {});

}  // namespace skillpipe::host
