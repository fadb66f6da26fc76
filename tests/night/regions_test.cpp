// Managed regions: parsing, rendering, and the user's text surviving byte for byte.
#include "regions.hpp"

#include <gtest/gtest.h>

namespace skillpipe::consolidate_reflect {
namespace {

TEST(NightRegions, PlainTextIsOneUserBlock) {
  const std::string text = "# Title\n\nSome text\n";
  auto doc = ManagedDoc::parse(text);
  ASSERT_TRUE(doc.error().empty());
  ASSERT_EQ(doc.blocks().size(), 1u);
  EXPECT_EQ(doc.blocks()[0].kind, BlockKind::kUser);
  EXPECT_EQ(doc.render(), text);
  EXPECT_EQ(doc.user_text(), text);
}

TEST(NightRegions, ParsesLearnedItemsWithContinuations) {
  const std::string text =
      "intro\n\n<!-- skillpipe:learned:begin +blank -->\n## Learned preferences and procedures\n\n_x_\n\n"
      "- first rule\n- second rule\n  continued here\n<!-- skillpipe:learned:end -->\ntail\n";
  auto doc = ManagedDoc::parse(text);
  ASSERT_TRUE(doc.error().empty()) << doc.error();
  ASSERT_EQ(doc.blocks().size(), 3u);
  const Block& b = doc.blocks()[1];
  EXPECT_EQ(b.kind, BlockKind::kLearned);
  EXPECT_TRUE(b.blank);
  ASSERT_EQ(b.items.size(), 2u);
  EXPECT_EQ(b.items[0], "first rule");
  EXPECT_EQ(b.items[1], "second rule\ncontinued here");
  EXPECT_EQ(doc.user_text(), "intro\ntail\n");  // the blank line before the marker was skillpipe's
  EXPECT_EQ(doc.render(), text);                // untouched blocks are written back as read
}

TEST(NightRegions, DamagedMarkersMakeTheDocumentReadOnly) {
  for (const std::string text : {
           "a\n<!-- skillpipe:learned:begin -->\n- x\n",                         // never closed
           "a\n<!-- skillpipe:learned:end -->\n",                                // stray end
           "<!-- skillpipe:notes:begin -->\n<!-- skillpipe:insert:begin -->\n",  // nested
           "<!-- skillpipe:learned:begin -->\n<!-- skillpipe:learned:end -->\n"
           "<!-- skillpipe:learned:begin -->\n<!-- skillpipe:learned:end -->\n",            // two learned blocks
           "<!-- skillpipe:insert:begin +newline -->\nx\n<!-- skillpipe:insert:end -->\n",  // no separator
           "a\n<!-- skillpipe:insert:begin +newline +blank -->\nx\n<!-- skillpipe:insert:end -->\n"  // one short
       }) {
    auto doc = ManagedDoc::parse(text);
    EXPECT_FALSE(doc.error().empty()) << text;
    EXPECT_EQ(doc.render(), text);
  }
}

TEST(NightRegions, MarkersInsideCodeFencesAreUserText) {
  const std::string text = "```\n<!-- skillpipe:learned:begin -->\n```\n";
  auto doc = ManagedDoc::parse(text);
  EXPECT_TRUE(doc.error().empty());
  EXPECT_EQ(doc.user_text(), text);
}

TEST(NightRegions, NewBlockAfterUnterminatedLineOwnsItsSeparator) {
  auto doc = ManagedDoc::parse("no newline at end");
  Block b;
  b.kind = BlockKind::kLearned;
  b.dirty = true;
  b.items = {"rule"};
  doc.blocks().push_back(b);
  const std::string out = doc.render();
  EXPECT_NE(out.find("no newline at end\n\n<!-- skillpipe:learned:begin +newline +blank -->\n"), std::string::npos)
      << out;
  auto again = ManagedDoc::parse(out);
  ASSERT_TRUE(again.error().empty()) << again.error();
  EXPECT_EQ(again.user_text(), "no newline at end");
  again.blocks().pop_back();
  EXPECT_EQ(again.render(), "no newline at end");
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
