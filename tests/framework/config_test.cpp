#include <gtest/gtest.h>

#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"

using skillpipe::Config;
using skillpipe::ConfigError;

TEST(Config, TypedGettersAndDefaults) {
  auto c = Config::parse(R"({"s":"x","i":3,"d":0.5,"b":true,"l":["a","b"],"o":{"k":1},"ol":[{"n":1},{"n":2}]})");
  EXPECT_EQ(c.get_string("s"), "x");
  EXPECT_EQ(c.get_string("missing", "def"), "def");
  EXPECT_EQ(c.get_int("i"), 3);
  EXPECT_DOUBLE_EQ(c.get_double("d"), 0.5);
  EXPECT_DOUBLE_EQ(c.get_double("i"), 3.0);
  EXPECT_TRUE(c.get_bool("b"));
  EXPECT_EQ(c.get_string_list("l"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.get_object("o").get_int("k"), 1);
  EXPECT_EQ(c.get_object("o").pointer(), "/o");
  ASSERT_EQ(c.get_object_list("ol").size(), 2u);
  EXPECT_EQ(c.get_object_list("ol")[1].get_int("n"), 2);
  EXPECT_EQ(c.get_object_list("ol")[1].pointer(), "/ol/1");
  EXPECT_FALSE(c.has("missing"));
  EXPECT_EQ(c.get_json("o"), R"({"k":1})");
}

TEST(Config, WrongTypeNamesThePointer) {
  auto c = Config::parse(R"({"o":{"n":"three"}})");
  try {
    c.get_object("o").get_int("n");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), "/o/n");
    EXPECT_NE(std::string(e.what()).find("expected an integer"), std::string::npos);
  }
  EXPECT_THROW(Config::parse("[1]"), ConfigError);
}
