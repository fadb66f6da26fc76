// png_check.hpp - decodes an 8-bit, non-interlaced PNG (what Chromium's --screenshot writes)
// and tells how much of it differs from its background, so a test can say "not blank".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace skillpipe::testing {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint32_t> rgba;  // 0xRRGGBBAA, row-major
};

// nullopt with *error set for anything it cannot read (bad signature, CRC, unsupported format).
std::optional<Image> decode_png(const std::string& bytes, std::string* error);

struct Ink {
  double fraction = 0;      // pixels whose colour differs from the most common one
  std::size_t colours = 0;  // distinct colours
};
Ink measure_ink(const Image& image);

}  // namespace skillpipe::testing
