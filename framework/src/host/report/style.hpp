// report/style.hpp - the HTML report's inline stylesheet.
#pragma once

namespace skillpipe::host::report {

const char* stylesheet();

}  // namespace skillpipe::host::report
