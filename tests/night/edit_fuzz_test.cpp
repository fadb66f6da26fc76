// Property: whatever sequence of edits the optimizer proposes, the user's text outside the
// managed regions stays byte-identical, the document always re-parses, and removing the
// managed regions gives back the original bytes. A few hundred random sequences, seeded.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "edit_ops.hpp"
#include "regions.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool coin(int percent) { return static_cast<int>(next() % 100) < percent; }
};

const std::vector<std::string> kLines = {"# Project notes",
                                         "Always run the tests before committing.",
                                         "",
                                         "Use tabs in Makefiles.",
                                         "```",
                                         "make test",
                                         "- a user bullet",
                                         "  indented continuation",
                                         "Ünïcödé line — with dashes",
                                         "name: not frontmatter",
                                         "<!-- an ordinary comment -->",
                                         "Windows line\r",
                                         "## Section",
                                         "Answer in English."};
const std::vector<std::string> kContents = {"Wrap the final answer in <answer> tags.",
                                            "Use imperative commit subjects.",
                                            "Cite files as path:line.",
                                            "Remember to run the linter.",
                                            "Multi-line rule\nwith a second line",
                                            "Answer in English.",
                                            "<!-- skillpipe:learned:end -->",
                                            "A very long rule " + std::string(500, 'z'),
                                            "",
                                            "Keep replies under 80 characters.",
                                            "Use tabs in Makefiles."};

std::string random_doc(Rng& r) {
  std::string doc;
  if (r.coin(30)) doc += "---\nname: fuzz\ndescription: Fuzz doc.\n---\n";
  const std::size_t n = r.pick(12);
  for (std::size_t i = 0; i < n; ++i) doc += kLines[r.pick(kLines.size())] + "\n";
  if (!doc.empty() && r.coin(25)) doc.pop_back();  // no final newline
  if (r.coin(10)) doc += "\n\n";
  return doc;
}

Edit random_edit(Rng& r, const std::string& doc) {
  Edit e;
  e.op = static_cast<EditOp>(r.pick(5));
  e.kind = r.coin(25) ? EditKind::kExecutionLapse : EditKind::kSkillDefect;
  e.content = kContents[r.pick(kContents.size())];
  if (r.coin(30)) e.content += " #" + std::to_string(r.pick(1000));
  // Anchors: a managed item, a user line, or noise.
  auto parsed = ManagedDoc::parse(doc);
  std::vector<std::string> managed;
  for (const auto& b : parsed.blocks())
    if (b.kind != BlockKind::kUser)
      for (const auto& i : b.items) managed.push_back(i);
  const int k = static_cast<int>(r.pick(3));
  if (k == 0 && !managed.empty())
    e.anchor = managed[r.pick(managed.size())];
  else if (k == 1)
    e.anchor = kLines[r.pick(kLines.size())];
  else
    e.anchor = kContents[r.pick(kContents.size())];
  if (r.coin(10)) e.status = EditStatus::kUnknownOp;
  return e;
}

TEST(NightEditsFuzz, UserTextIsByteIdenticalAfterAnyEditSequence) {
  Rng rng{0x5eed5eedULL};
  int applied = 0, sequences = 0;
  for (int round = 0; round < 400; ++round) {
    const std::string original = random_doc(rng);
    const std::string user = ManagedDoc::parse(original).user_text();
    ASSERT_EQ(user, original) << "round " << round;
    std::string doc = original;
    ApplyOptions opt;
    opt.allow_document_ops = !rng.coin(20);
    opt.bounds.max_region_chars = rng.coin(30) ? 200 : 4000;
    const std::size_t steps = 1 + rng.pick(8);
    for (std::size_t s = 0; s < steps; ++s) {
      std::vector<Edit> batch;
      const std::size_t n = 1 + rng.pick(4);
      for (std::size_t i = 0; i < n; ++i) batch.push_back(random_edit(rng, doc));
      const ApplyResult res = apply_edits(doc, batch, opt);
      ASSERT_EQ(res.edits.size(), batch.size());
      for (const auto& e : res.edits) ASSERT_NE(e.status, EditStatus::kProposed);
      applied += res.applied;
      doc = res.text;
      const auto again = ManagedDoc::parse(doc);
      ASSERT_TRUE(again.error().empty()) << "round " << round << " step " << s << ": " << again.error() << "\n" << doc;
      ASSERT_EQ(again.user_text(), original) << "round " << round << " step " << s << "\n" << doc;
      ASSERT_EQ(again.render(), doc);
    }
    // Taking every managed region out gives back the original bytes.
    auto parsed = ManagedDoc::parse(doc);
    for (auto& b : parsed.blocks())
      if (b.kind != BlockKind::kUser) b.items.clear();
    parsed.drop_empty();
    ASSERT_EQ(parsed.render(), original) << "round " << round;
    ++sequences;
  }
  EXPECT_EQ(sequences, 400);
  EXPECT_GT(applied, 400);  // the sequences really edited documents
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
