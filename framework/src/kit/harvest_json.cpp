// harvest_json.cpp - JsonView: navigate one JSON line without building a DOM.
//
// Most of a transcript's bytes are strings a digest never keeps (tool output, reasoning,
// base64 images). Skipping a string is a memchr for the next quote plus a backslash-parity
// check, so the bulk of a line is passed over at memory speed; only the few values a parser
// asks for are decoded.
#include <array>
#include <charconv>
#include <cstring>

#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {
namespace {

using Type = JsonView::Type;

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline const char* skip_ws(const char* p, const char* e) {
  while (p < e && is_ws(*p)) ++p;
  return p;
}

// p at the opening quote; returns one past the closing quote, or nullptr.
inline const char* skip_string(const char* p, const char* e) {
  const char* from = p + 1;
  for (;;) {
    const char* q = static_cast<const char*>(std::memchr(from, '"', static_cast<std::size_t>(e - from)));
    if (!q) return nullptr;
    const char* b = q;
    while (b > from && b[-1] == '\\') --b;
    if (((q - b) & 1) == 0) return q + 1;
    from = q + 1;
  }
}

// Bytes allowed between tokens inside a container that is only being skipped: structure,
// whitespace, numbers and the letters of true/false/null. Anything else means garbage.
constexpr std::array<bool, 256> make_skip_table() {
  std::array<bool, 256> t{};
  for (char c : std::string_view(" \t\r\n{}[],:-+.0123456789eEtruefalsn")) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kSkipOk = make_skip_table();

const char* skip_container(const char* p, const char* e) {
  int depth = 0;
  while (p < e) {
    char c = *p;
    if (c == '"') {
      p = skip_string(p, e);
      if (!p) return nullptr;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return p + 1;
    } else if (!kSkipOk[static_cast<unsigned char>(c)]) {
      return nullptr;
    }
    ++p;
  }
  return nullptr;
}

inline bool scalar_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-' || c == '+' || c == '.' || c == 'E';
}

// Skips one value starting at p (no leading whitespace); sets *type.
const char* skip_value(const char* p, const char* e, Type* type) {
  if (p >= e) return nullptr;
  switch (*p) {
    case '"': *type = Type::kString; return skip_string(p, e);
    case '{': *type = Type::kObject; return skip_container(p, e);
    case '[': *type = Type::kArray; return skip_container(p, e);
    default: break;
  }
  const char* q = p;
  while (q < e && scalar_byte(*q)) ++q;
  std::string_view tok(p, static_cast<std::size_t>(q - p));
  if (tok == "null") *type = Type::kNull;
  else if (tok == "true" || tok == "false") *type = Type::kBool;
  else if (!tok.empty() && (tok[0] == '-' || (tok[0] >= '0' && tok[0] <= '9'))) *type = Type::kNumber;
  else return nullptr;
  return q;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int hex4(const char* p, const char* e) {
  if (e - p < 4) return -1;
  int v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Decodes the escaped body of a JSON string into out; returns the number of bad escapes.
std::int64_t unescape(std::string_view raw, std::string& out) {
  std::int64_t bad = 0;
  const char* p = raw.data();
  const char* e = p + raw.size();
  while (p < e) {
    const char* bs = static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(e - p)));
    if (!bs) {
      out.append(p, static_cast<std::size_t>(e - p));
      break;
    }
    out.append(p, static_cast<std::size_t>(bs - p));
    p = bs + 1;
    if (p >= e) {
      ++bad;
      break;
    }
    char c = *p++;
    switch (c) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        int hi = hex4(p, e);
        if (hi < 0) {
          ++bad;
          put_utf8(out, 0xFFFD);
          break;
        }
        p += 4;
        std::uint32_t cp = static_cast<std::uint32_t>(hi);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          int lo = (e - p >= 6 && p[0] == '\\' && p[1] == 'u') ? hex4(p + 2, e) : -1;
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(lo) - 0xDC00);
            p += 6;
          } else {
            cp = 0xFFFD;  // lone high surrogate
            ++bad;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;  // lone low surrogate
          ++bad;
        }
        put_utf8(out, cp);
        break;
      }
      default:
        ++bad;
        put_utf8(out, 0xFFFD);
        break;
    }
  }
  return bad;
}

}  // namespace

JsonView JsonView::parse(std::string_view text) {
  const char* b = skip_ws(text.data(), text.data() + text.size());
  const char* e = text.data() + text.size();
  while (e > b && is_ws(e[-1])) --e;
  Type t = Type::kInvalid;
  const char* end = skip_value(b, e, &t);
  if (!end || end != e) return {};
  return JsonView(t, std::string_view(b, static_cast<std::size_t>(e - b)));
}

JsonView::Iter JsonView::iter() const {
  Iter it;
  if (type_ == Type::kObject || type_ == Type::kArray) {
    it.p_ = raw_.data() + 1;
    it.end_ = raw_.data() + raw_.size() - 1;  // the closing bracket
    it.object_ = type_ == Type::kObject;
  }
  return it;
}

bool JsonView::Iter::to_next_item() {
  p_ = skip_ws(p_, end_);
  if (p_ >= end_) return false;
  if (!first_) {
    if (*p_ != ',') return (p_ = nullptr), false;
    p_ = skip_ws(p_ + 1, end_);
  }
  first_ = false;
  return true;
}

bool JsonView::Iter::next(JsonView& value) {
  if (!p_ || object_ || !to_next_item()) return false;
  Type t = Type::kInvalid;
  const char* q = skip_value(p_, end_, &t);
  if (!q) return (p_ = nullptr), false;
  value = JsonView(t, std::string_view(p_, static_cast<std::size_t>(q - p_)));
  p_ = q;
  return true;
}

bool JsonView::Iter::next(JsonView& key, JsonView& value) {
  if (!p_ || !object_ || !to_next_item()) return false;
  if (p_ >= end_ || *p_ != '"') return (p_ = nullptr), false;
  const char* k = skip_string(p_, end_);
  if (!k) return (p_ = nullptr), false;
  key = JsonView(Type::kString, std::string_view(p_, static_cast<std::size_t>(k - p_)));
  const char* q = skip_ws(k, end_);
  if (q >= end_ || *q != ':') return (p_ = nullptr), false;
  q = skip_ws(q + 1, end_);
  Type t = Type::kInvalid;
  const char* v = skip_value(q, end_, &t);
  if (!v) return (p_ = nullptr), false;
  value = JsonView(t, std::string_view(q, static_cast<std::size_t>(v - q)));
  p_ = v;
  return true;
}

std::size_t JsonView::get(std::initializer_list<std::string_view> keys, JsonView* out) const {
  for (std::size_t i = 0; i < keys.size(); ++i) out[i] = JsonView();
  if (type_ != Type::kObject) return 0;
  std::size_t found = 0;
  Iter it = iter();
  JsonView k, v;
  while (found < keys.size() && it.next(k, v)) {
    std::string_view kr = k.str_raw();
    std::size_t i = 0;
    for (std::string_view want : keys) {
      if (!out[i].valid() && kr == want) {
        out[i] = v;
        ++found;
        break;
      }
      ++i;
    }
  }
  return found;
}

JsonView JsonView::operator[](std::string_view key) const {
  JsonView out;
  get({key}, &out);
  return out;
}

std::string_view JsonView::str_raw() const {
  if (type_ != Type::kString || raw_.size() < 2) return {};
  return raw_.substr(1, raw_.size() - 2);
}

void JsonView::append_str(std::string& out, std::int64_t* repairs) const {
  if (out.empty()) {
    out = str(repairs);
    return;
  }
  out += str(repairs);
}

std::string JsonView::str(std::int64_t* repairs) const {
  std::string out;
  std::string_view r = str_raw();
  if (r.find('\\') == std::string_view::npos) {
    out.assign(r);
    std::size_t fixed = repair_utf8(out);
    if (repairs) *repairs += static_cast<std::int64_t>(fixed);
    return out;
  }
  out.reserve(r.size());
  std::int64_t bad = unescape(r, out);
  std::size_t fixed = repair_utf8(out);
  if (repairs) *repairs += bad + static_cast<std::int64_t>(fixed);
  return out;
}

bool JsonView::str_eq(std::string_view s) const {
  if (type_ != Type::kString) return false;
  std::string_view r = str_raw();
  if (r.find('\\') == std::string_view::npos) return r == s;
  return str() == s;
}

bool JsonView::str_starts_with(std::string_view s) const {
  return type_ == Type::kString && str_raw().substr(0, s.size()) == s;
}

std::int64_t JsonView::as_int(std::int64_t def) const {
  if (type_ != Type::kNumber) return def;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(raw_.data(), raw_.data() + raw_.size(), v);
  if (ec == std::errc() && ptr == raw_.data() + raw_.size()) return v;
  double d = 0;
  auto [p2, ec2] = std::from_chars(raw_.data(), raw_.data() + raw_.size(), d);
  if (ec2 == std::errc() && d > -9.2e18 && d < 9.2e18) return static_cast<std::int64_t>(d);
  (void)p2;
  return def;
}

bool JsonView::as_bool(bool def) const {
  if (type_ != Type::kBool) return def;
  return raw_ == "true";
}

}  // namespace skillpipe::harvest
