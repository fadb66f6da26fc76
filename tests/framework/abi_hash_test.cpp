// The plugin contract cannot change by accident (as Envoy's dynamic modules do it): this test
// hashes the contract headers and compares the hash with the one recorded next to the ABI
// version in abi.hpp. Comments, blank lines and spacing are not hashed, so fixing a comment
// needs no bump; any change to a declaration does.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "skillpipe/abi.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace {

// The contract: what a plugin and the host share. Everything else under include/skillpipe/
// is the kit (kit/: helpers built on the contract) or test support (testing/).
const std::vector<std::string> kContractHeaders = {
    "abi.hpp",    "backend.hpp", "config.hpp", "errors.hpp", "evaluation.hpp", "fields.hpp",
    "json.hpp",   "plugin.hpp",  "records.hpp", "schema.hpp", "stage.hpp",      "store.hpp"};

// C++ text without comments, blank lines and runs of spaces; string and character literals
// are kept as written. The line recording the hash itself is left out.
std::string normalized(const std::string& text) {
  std::string code;
  enum { kCode, kLine, kBlock, kString, kChar } st = kCode;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i], n = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (st) {
      case kCode:
        if (c == '/' && n == '/') st = kLine, ++i;
        else if (c == '/' && n == '*') st = kBlock, ++i;
        else {
          if (c == '"') st = kString;
          else if (c == '\'') st = kChar;
          code += c;
        }
        break;
      case kLine:
        if (c == '\n') st = kCode, code += c;
        break;
      case kBlock:
        if (c == '*' && n == '/') st = kCode, ++i, code += ' ';
        break;
      case kString:
      case kChar:
        code += c;
        if (c == '\\' && n) code += n, ++i;
        else if (c == (st == kString ? '"' : '\'')) st = kCode;
        break;
    }
  }
  std::string out;
  for (const auto& line : skillpipe::split(code, '\n')) {
    if (line.find("SKILLPIPE_ABI_CONTRACT_SHA256") != std::string::npos) continue;
    std::string flat;
    for (char c : skillpipe::trim(line)) {
      const bool space = c == ' ' || c == '\t' || c == '\r';
      if (space && (flat.empty() || flat.back() == ' ')) continue;
      flat += space ? ' ' : c;
    }
    if (!flat.empty()) out += flat + "\n";
  }
  return out;
}

std::string include_dir() { return skillpipe::testing::source_dir() + "/framework/include/skillpipe"; }

}  // namespace

TEST(AbiHash, ContractHeadersMatchTheRecordedHash) {
  std::string material;
  for (const auto& name : kContractHeaders) {
    const std::string text = skillpipe::testing::read_text(include_dir() + "/" + name);
    ASSERT_FALSE(text.empty()) << name;
    material += "== " + name + "\n" + normalized(text);
  }
  const std::string actual = skillpipe::sha256_hex(material);
  EXPECT_EQ(actual, SKILLPIPE_ABI_CONTRACT_SHA256)
      << "the contract headers changed: bump SKILLPIPE_ABI_* and update the recorded hash "
         "(SKILLPIPE_ABI_CONTRACT_SHA256 in framework/include/skillpipe/abi.hpp) to\n  "
      << actual << "\nBump SKILLPIPE_ABI_MAJOR when a plugin built before the change would break (a "
      << "changed record layout, virtual function or descriptor field), SKILLPIPE_ABI_MINOR when "
      << "the change only adds (docs/plugins.md, \"Compatibility\"), and say why next to the version.";
}

TEST(AbiHash, EveryTopLevelHeaderIsContract) {
  // A header dropped into include/skillpipe/ would join the contract unhashed: it must be
  // listed above, or live in kit/ or testing/.
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::directory_iterator(include_dir()))
    if (e.is_regular_file()) found.push_back(e.path().filename().string());
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, kContractHeaders);
}

TEST(AbiHash, NormalizationIgnoresCommentsAndSpacingOnly) {
  EXPECT_EQ(normalized("int a;  // why\n\n/* block\n */ int   b;\n"), normalized("int a;\nint b; // other\n"));
  EXPECT_NE(normalized("int a;"), normalized("long a;"));
  EXPECT_EQ(normalized("const char* s = \"// not a comment\";"), "const char* s = \"// not a comment\";\n");
  EXPECT_EQ(normalized("#define SKILLPIPE_ABI_CONTRACT_SHA256 \"x\"\nint a;\n"), "int a;\n");
}
