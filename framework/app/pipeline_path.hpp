// pipeline_path.hpp - where the pipeline a command names is.
//
// `skillpipe run nightly` and `skillpipe run pipelines/nightly.yaml` must work from any
// project directory, not only from a checkout: a path that does not exist as given falls
// back to the pipelines bundled with this skillpipe, <prefix>/share/skillpipe/pipelines
// (the build tree mirrors that layout, so an uninstalled build/bin/skillpipe finds them too).
#pragma once

#include <string>
#include <vector>

namespace skillpipe::app {

// The bundled pipelines folder next to this executable (<exe>/../share/skillpipe/pipelines),
// "" when there is none.
std::string bundled_pipeline_dir();

// The pipeline file `arg` names, as an absolute path:
//   1. `arg` itself when it is a file (relative to the current directory);
//   2. a bare name ("nightly", "ab_judge.yaml"): <bundled>/<name>[.yaml];
//   3. a path under pipelines/ ("pipelines/nightly.yaml"): the same file in <bundled>.
// Throws ConfigError listing every place tried and the bundled pipelines by name.
std::string resolve_pipeline(const std::string& arg);

// How the user can run this skillpipe again, for commands it suggests: "skillpipe" when
// that name on PATH is this executable, else its absolute path (e.g. build/bin/skillpipe).
std::string self_command();

// The names `skillpipe run NAME` accepts (the bundled *.yaml files, without the extension).
std::vector<std::string> bundled_pipeline_names();

}  // namespace skillpipe::app
