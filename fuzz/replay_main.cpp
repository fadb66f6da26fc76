// Seed replay: without libFuzzer (the GCC test builds), a harness runs once over every file
// given (directories recursively), so the harnesses keep compiling and their seed corpora, and
// any finding saved into fuzz/seeds, run as regression tests in the normal and sanitizer suites.
// A run that found no input fails: a glob that matches nothing must not pass silently.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_one(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) run_one(e.path()), ++runs;
    } else if (fs::is_regular_file(arg)) {
      run_one(arg), ++runs;
    } else {
      std::fprintf(stderr, "%s: not a file or directory\n", argv[i]);
      return 2;
    }
  }
  std::printf("%zu input(s) ran without a finding\n", runs);
  return runs ? 0 : 1;
}
