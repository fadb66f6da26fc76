// html_check.hpp - a strict, small HTML tokenizer for tests: the report must be well formed
// (every element closed in order, attributes quoted, no stray '<' or bare '&' in text) and
// we want its tags and attributes to check what it could load.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace skillpipe::testing {

struct HtmlTag {
  std::string name;                          // lower-case
  std::map<std::string, std::string> attrs;  // raw (still escaped) values
};

struct HtmlCheck {
  std::vector<std::string> errors;  // empty when well formed
  std::vector<HtmlTag> tags;        // start tags, in order
  std::string text;                 // text content, entities left as written
  std::size_t count(const std::string& tag) const;
};

HtmlCheck check_html(const std::string& html);

}  // namespace skillpipe::testing
