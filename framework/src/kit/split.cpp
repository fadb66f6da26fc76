// The shared split rule (kit/split.hpp).
#include "skillpipe/kit/split.hpp"

#include <cmath>
#include <string>

#include "skillpipe/kit/util.hpp"

namespace skillpipe {

int split_bucket(std::string_view seed, std::string_view id) {
  // The whole 256-bit hash modulo 100, digit by digit.
  int r = 0;
  for (char c : sha256_hex(std::string(seed) + std::string(id))) {
    const int d = c <= '9' ? c - '0' : c - 'a' + 10;
    r = (r * 16 + d) % 100;
  }
  return r;
}

Split split_of_bucket(int bucket, double val_fraction, double test_fraction) {
  // std::nearbyint rounds half to even in the default rounding mode, as Python's round().
  const long long val_cut = static_cast<long long>(std::nearbyint(val_fraction * 100));
  const long long test_cut = val_cut + static_cast<long long>(std::nearbyint(test_fraction * 100));
  return bucket < val_cut ? Split::kVal : bucket < test_cut ? Split::kTest : Split::kTrain;
}

}  // namespace skillpipe
