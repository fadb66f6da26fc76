#include "html_check.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace skillpipe::testing {
namespace {

const std::set<std::string> kVoid = {"area",  "base", "br",   "col",    "embed", "hr", "img",
                                     "input", "link", "meta", "source", "track", "wbr"};

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':'; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A character reference at s[i] == '&': &name; &#123; &#x1F;
bool valid_entity(const std::string& s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '#') {
    ++j;
    const bool hex = j < s.size() && (s[j] == 'x' || s[j] == 'X');
    if (hex) ++j;
    const std::size_t start = j;
    while (j < s.size() &&
           (hex ? std::isxdigit(static_cast<unsigned char>(s[j])) : std::isdigit(static_cast<unsigned char>(s[j]))))
      ++j;
    return j > start && j < s.size() && s[j] == ';';
  }
  const std::size_t start = j;
  while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
  return j > start && j < s.size() && s[j] == ';';
}

}  // namespace

std::size_t HtmlCheck::count(const std::string& tag) const {
  return static_cast<std::size_t>(
      std::count_if(tags.begin(), tags.end(), [&](const HtmlTag& t) { return t.name == tag; }));
}

HtmlCheck check_html(const std::string& s) {
  HtmlCheck r;
  std::vector<std::string> stack;
  auto err = [&](std::size_t at, const std::string& what) {
    r.errors.push_back("offset " + std::to_string(at) + ": " + what + " near \"" + s.substr(at, 40) + "\"");
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c != '<') {
      if (c == '&' && !valid_entity(s, i)) err(i, "bare '&' in text");
      if (c == '>') err(i, "unescaped '>' in text");
      r.text += c;
      ++i;
      continue;
    }
    if (s.compare(i, 4, "<!--") == 0) {
      const auto end = s.find("-->", i + 4);
      if (end == std::string::npos) return err(i, "unterminated comment"), r;
      i = end + 3;
      continue;
    }
    if (s.compare(i, 2, "<!") == 0) {
      if (lower(s.substr(i, 9)) != "<!doctype") err(i, "unknown markup declaration");
      const auto end = s.find('>', i);
      if (end == std::string::npos) return err(i, "unterminated declaration"), r;
      i = end + 1;
      continue;
    }
    const bool closing = i + 1 < s.size() && s[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    const std::size_t name_start = j;
    while (j < s.size() && name_char(s[j])) ++j;
    if (j == name_start || !std::isalpha(static_cast<unsigned char>(s[name_start]))) {
      err(i, "raw '<' in text");
      r.text += c;
      ++i;
      continue;
    }
    const std::string name = lower(s.substr(name_start, j - name_start));
    if (closing) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size() || s[j] != '>') return err(i, "malformed end tag"), r;
      if (stack.empty() || stack.back() != name) {
        err(i, "</" + name + "> but the open element is " +
                   (stack.empty() ? std::string("none") : "<" + stack.back() + ">"));
      } else {
        stack.pop_back();
      }
      i = j + 1;
      continue;
    }
    HtmlTag tag;
    tag.name = name;
    bool self_closed = false;
    for (;;) {
      while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j]))) ++j;
      if (j >= s.size()) return err(i, "unterminated tag"), r;
      if (s[j] == '>') break;
      if (s.compare(j, 2, "/>") == 0) {
        self_closed = true;
        ++j;
        break;
      }
      const std::size_t an = j;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != '=' && s[j] != '>' &&
             s[j] != '/' && s[j] != '"' && s[j] != '\'' && s[j] != '<')
        ++j;
      if (j == an) return err(j, "bad attribute in <" + name + ">"), r;
      const std::string aname = lower(s.substr(an, j - an));
      std::string value;
      if (j < s.size() && s[j] == '=') {
        ++j;
        if (j >= s.size() || (s[j] != '"' && s[j] != '\''))
          return err(j, "unquoted attribute value in <" + name + ">"), r;
        const char q = s[j];
        const auto end = s.find(q, j + 1);
        if (end == std::string::npos) return err(j, "unterminated attribute value"), r;
        value = s.substr(j + 1, end - j - 1);
        if (value.find('<') != std::string::npos) err(j, "'<' inside an attribute value");
        for (std::size_t k = 0; k < value.size(); ++k)
          if (value[k] == '&' && !valid_entity(value, k)) err(j, "bare '&' in an attribute value");
        j = end + 1;
      }
      if (!tag.attrs.emplace(aname, value).second) err(an, "duplicate attribute " + aname);
    }
    i = j + 1;
    const bool in_svg = std::find(stack.begin(), stack.end(), "svg") != stack.end() || name == "svg";
    if (self_closed && !kVoid.count(name) && !in_svg) err(i, "self-closing non-void <" + name + "/>");
    r.tags.push_back(tag);
    if (name == "style" || name == "script" || name == "title" || name == "textarea") {
      // Raw text: runs to the matching end tag; title's text must not contain markup.
      const std::string close = "</" + name;
      std::size_t end = i;
      for (;;) {
        end = s.find("</", end);
        if (end == std::string::npos) return err(i, "unterminated <" + name + ">"), r;
        if (lower(s.substr(end, close.size())) == close) break;
        ++end;
      }
      if (name == "title" && s.substr(i, end - i).find('<') != std::string::npos) err(i, "markup in <title>");
      if (name != "style") r.text += s.substr(i, end - i);
      const auto gt = s.find('>', end);
      if (gt == std::string::npos) return err(end, "malformed end tag"), r;
      i = gt + 1;
      continue;
    }
    if (!kVoid.count(name) && !self_closed) stack.push_back(name);
  }
  for (const auto& open : stack) r.errors.push_back("<" + open + "> is never closed");
  return r;
}

}  // namespace skillpipe::testing
