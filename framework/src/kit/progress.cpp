#include "skillpipe/kit/progress.hpp"

namespace skillpipe {

ByteProgress::~ByteProgress() = default;

ByteProgress* byte_progress(Progress& p) { return dynamic_cast<ByteProgress*>(&p); }

}  // namespace skillpipe
