// The set_description edit: only the frontmatter's description value changes, bounded, one
// line, safe, and refused with words a user can act on when there is no frontmatter.
#include "description_edit.hpp"

#include <gtest/gtest.h>

#include "edit_ops.hpp"
#include "reflect_reply.hpp"
#include "regions.hpp"
#include "skillpipe/kit/safety.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

Edit describe(std::string content, EditTarget target = EditTarget::kSkill) {
  Edit e;
  e.op = EditOp::kSetDescription;
  e.target = target;
  e.content = std::move(content);
  return e;
}

const std::string kSkill =
    "---\nname: demo\ndescription: Use it for every task in this project.\nlicense: MIT\n---\n\n# Demo\n\n"
    "Always run the tests.\n";

TEST(DescriptionEdit, TheOpHasJsonTextAndTheReflectionReplyParsesIt) {
  EXPECT_EQ(std::string(to_string(EditOp::kSetDescription)), "set_description");
  EXPECT_EQ(parse_edit_op("set_description"), EditOp::kSetDescription);
  const ParsedReply r = parse_reflect_reply(
      R"({"edits":[{"op":"set_description","content":"Refresh generated files."},{"op":"set-description","content":"x y"}]})",
      EditTarget::kSkill, 4);
  ASSERT_EQ(r.edits.size(), 2u);
  EXPECT_EQ(r.edits[0].op, EditOp::kSetDescription);
  EXPECT_EQ(r.edits[1].op, EditOp::kSetDescription);
  EXPECT_EQ(r.edits[0].status, EditStatus::kProposed);
}

TEST(DescriptionEdit, ReplacesOnlyTheDescriptionValue) {
  const ApplyResult r = apply_edits(kSkill, {describe("Refresh the generated files after a schema change.")}, {});
  ASSERT_EQ(r.applied, 1) << r.why.at(0);
  EXPECT_EQ(r.text,
            "---\nname: demo\ndescription: Refresh the generated files after a schema change.\nlicense: MIT\n---\n\n"
            "# Demo\n\nAlways run the tests.\n");
  const SkillFrontmatter fm = parse_skill_frontmatter(r.text);
  EXPECT_TRUE(fm.errors.empty());
  EXPECT_EQ(fm.get("name"), "demo");
  EXPECT_EQ(fm.get("license"), "MIT");
  // Managed edits still go where they always went, after the new description.
  Edit add;
  add.content = "Run `make gen` first.";
  const ApplyResult r2 = apply_edits(r.text, {add}, {});
  EXPECT_EQ(ManagedDoc::parse(r2.text).user_text(), r.text);
}

TEST(DescriptionEdit, OneLineAndQuotedWhenYamlWouldMisreadIt) {
  const ApplyResult r = apply_edits(kSkill, {describe("Regenerate files:\n  run \"make gen\" # always\n")}, {});
  ASSERT_EQ(r.applied, 1);
  EXPECT_NE(r.text.find("description: \"Regenerate files: run \\\"make gen\\\" # always\"\n"), std::string::npos)
      << r.text;
  EXPECT_EQ(parse_skill_frontmatter(r.text).get("description"), "Regenerate files: run \"make gen\" # always");
  EXPECT_EQ(r.edits[0].content, "Regenerate files: run \"make gen\" # always");
}

TEST(DescriptionEdit, ABlockScalarIsReplacedWhole) {
  const std::string doc = "---\nname: demo\ndescription: >\n  first line\n\n  second line\nlicense: MIT\n---\nbody\n";
  const ApplyResult r = apply_edits(doc, {describe("New one.")}, {});
  ASSERT_EQ(r.applied, 1);
  EXPECT_EQ(r.text, "---\nname: demo\ndescription: New one.\nlicense: MIT\n---\nbody\n");
}

TEST(DescriptionEdit, BoundedByTheAgentsLimitNotTheRuleLimit) {
  ApplyOptions opt;
  opt.bounds.max_edit_chars = 40;  // rules are short; a description may be longer
  std::string fits;
  while (fits.size() < kMaxDescriptionChars) fits += "regen ";
  fits.resize(kMaxDescriptionChars);  // ends inside a word: nothing to trim
  ASSERT_NE(fits.back(), ' ');
  const std::string over = fits + "s";
  const ApplyResult ok = apply_edits(kSkill, {describe(fits)}, opt);
  EXPECT_EQ(ok.edits[0].status, EditStatus::kApplied);
  const ApplyResult big = apply_edits(kSkill, {describe(over)}, opt);
  EXPECT_EQ(big.edits[0].status, EditStatus::kOversize);
  EXPECT_NE(big.why[0].find("1025 characters; the limit is 1024"), std::string::npos) << big.why[0];
  EXPECT_EQ(big.text, kSkill);
}

TEST(DescriptionEdit, SecretsMarkersDuplicatesAndMemoryAreRefused) {
  const ApplyResult r = apply_edits(
      kSkill,
      {describe("Push with ghp_" + std::string("aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5") + " when releasing."),
       describe("x <!-- skillpipe:learned:begin -->"), describe("Use it for every task in this project."),
       describe("A memory has no description.", EditTarget::kMemory)},
      {});
  EXPECT_EQ(r.edits[0].status, EditStatus::kUnsafe);
  EXPECT_EQ(r.edits[1].status, EditStatus::kProtected);
  EXPECT_EQ(r.edits[2].status, EditStatus::kDuplicate);
  EXPECT_EQ(r.edits[3].status, EditStatus::kProtected);
  EXPECT_EQ(r.text, kSkill);
}

TEST(DescriptionEdit, RefusedWithoutFrontmatterAndForAUsersOwnSkill) {
  const std::string bare = "# Demo\n\nAlways run the tests.\n";
  const ApplyResult r = apply_edits(bare, {describe("Anything at all.")}, {});
  EXPECT_EQ(r.edits[0].status, EditStatus::kAnchorNotFound);
  EXPECT_NE(r.why[0].find("has no YAML frontmatter"), std::string::npos) << r.why[0];
  EXPECT_NE(r.why[0].find("add a frontmatter to the SKILL.md by hand"), std::string::npos);
  EXPECT_EQ(r.text, bare);
  const ApplyResult open = apply_edits("---\nname: demo\ndescription: x\n", {describe("New one.")}, {});
  EXPECT_NE(open.why[0].find("not closed by a `---` line"), std::string::npos) << open.why[0];
  const ApplyResult nodesc = apply_edits("---\nname: demo\n---\nbody\n", {describe("New one.")}, {});
  EXPECT_NE(nodesc.why[0].find("no top-level `description:` line"), std::string::npos);
  ApplyOptions own;
  own.allow_document_ops = false;
  const ApplyResult mine = apply_edits(kSkill, {describe("New one.")}, own);
  EXPECT_EQ(mine.edits[0].status, EditStatus::kProtected);
  EXPECT_NE(mine.why[0].find("left to the user"), std::string::npos);
}

TEST(DescriptionEdit, CrlfDocumentsKeepTheirLineEndings) {
  const std::string doc = "---\r\nname: demo\r\ndescription: old\r\n---\r\nbody\r\n";
  const ApplyResult r = apply_edits(doc, {describe("New one.")}, {});
  EXPECT_EQ(r.text, "---\r\nname: demo\r\ndescription: New one.\r\n---\r\nbody\r\n");
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
