// regex_engine.cpp - PCRE2 (or std::regex fallback) behind a small thread-safe cache.
#include "skillpipe/kit/regex.hpp"

#include <mutex>
#include <unordered_map>

#if SKILLPIPE_HAVE_PCRE2
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#else
#include <pthread.h>

#include <regex>
#endif

namespace skillpipe::rules {
namespace {

#if SKILLPIPE_HAVE_PCRE2

// Python's \Z is the absolute end of the text; PCRE's \Z also matches before a final
// newline, PCRE's \z is Python's \Z.
std::string python_to_pcre(const std::string& p) {
  std::string out;
  out.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      out += '\\';
      out += p[i + 1] == 'Z' ? 'z' : p[i + 1];
      ++i;
    } else {
      out += p[i];
    }
  }
  return out;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  if (pcre2_get_error_message(code, buf, sizeof buf) < 0) return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buf);
}

class Pcre2Regex : public CompiledRegex {
 public:
  Pcre2Regex(pcre2_code* code, bool jit) : code_(code), jit_(jit), mctx_(pcre2_match_context_create(nullptr)) {
    // Bounded work per match: a catastrophic pattern fails the check with an error
    // instead of stalling the night.
    pcre2_set_match_limit(mctx_, 5'000'000);
    pcre2_set_depth_limit(mctx_, 100'000);
    pcre2_set_heap_limit(mctx_, 256 * 1024);  // KiB
  }
  ~Pcre2Regex() override {
    pcre2_match_context_free(mctx_);
    pcre2_code_free(code_);
  }
  Pcre2Regex(const Pcre2Regex&) = delete;
  Pcre2Regex& operator=(const Pcre2Regex&) = delete;

  bool search(std::string_view text, std::string* error) const override {
    // Match data is per call; the code and the match context are shared read-only.
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    if (!md) {
      if (error) *error = "out of memory";
      return false;
    }
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    int rc = pcre2_match(code_, subject, text.size(), 0, 0, md, mctx_);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && jit_) {
      // Long subjects outgrow JIT's default 32 KiB stack: retry with a private, lazily
      // committed one (match contexts and JIT stacks are per call, so threads never share).
      pcre2_jit_stack* stack = pcre2_jit_stack_create(64 * 1024, 256 * 1024 * 1024, nullptr);
      pcre2_match_context* mc = pcre2_match_context_copy(mctx_);
      if (stack && mc) {
        pcre2_jit_stack_assign(mc, nullptr, stack);
        rc = pcre2_match(code_, subject, text.size(), 0, 0, md, mc);
      }
      if (mc) pcre2_match_context_free(mc);
      if (stack) pcre2_jit_stack_free(stack);
    }
    pcre2_match_data_free(md);
    if (rc >= 0) return true;
    if (rc != PCRE2_ERROR_NOMATCH && error) *error = pcre2_message(rc);
    return false;
  }

 private:
  pcre2_code* code_;
  bool jit_;
  pcre2_match_context* mctx_;
};

std::shared_ptr<const CompiledRegex> compile_uncached(const std::string& pattern, bool icase, std::string* error) {
  const std::string p = python_to_pcre(pattern);
  std::uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (icase) opts |= PCRE2_CASELESS;
  int err = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.data()), p.size(), opts, &err, &offset, nullptr);
  if (!code) {
    if (error) *error = pcre2_message(err) + " at offset " + std::to_string(offset);
    return nullptr;
  }
  const bool jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return std::make_shared<Pcre2Regex>(code, jit);
}

#else  // std::regex fallback

// libstdc++'s std::regex recurses once per subject character, so long responses run on
// a thread with a large (lazily committed) stack.
class StdRegex : public CompiledRegex {
 public:
  explicit StdRegex(std::regex re) : re_(std::move(re)) {}
  bool search(std::string_view text, std::string* error) const override {
    struct Job {
      const std::regex* re;
      std::string_view text;
      bool matched = false;
      std::string error;
    } job{&re_, text, false, {}};
    auto run = [](void* p) -> void* {
      auto* j = static_cast<Job*>(p);
      try {
        j->matched = std::regex_search(j->text.begin(), j->text.end(), *j->re);
      } catch (const std::exception& e) {
        j->error = e.what();
      }
      return nullptr;
    };
    if (text.size() < 2000) {
      run(&job);
    } else {
      pthread_attr_t attr;
      pthread_attr_init(&attr);
      pthread_attr_setstacksize(&attr, std::size_t{1} << 30);
      pthread_t th;
      if (pthread_create(&th, &attr, run, &job) != 0) {
        pthread_attr_destroy(&attr);
        if (error) *error = "cannot start the regex thread";
        return false;
      }
      pthread_join(th, nullptr);
      pthread_attr_destroy(&attr);
    }
    if (!job.error.empty() && error) *error = job.error;
    return job.matched;
  }

 private:
  std::regex re_;
};

std::shared_ptr<const CompiledRegex> compile_uncached(const std::string& pattern, bool icase, std::string* error) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  // Leading Python inline flags: (?i) and (?m) map onto std::regex flags.
  while (p.size() >= 4 && p.compare(0, 2, "(?") == 0) {
    const auto close = p.find(')');
    const std::string f = p.substr(2, close == std::string::npos ? 0 : close - 2);
    if (f.empty() || f.find_first_not_of("im") != std::string::npos) break;
    if (f.find('i') != std::string::npos) icase = true;
    if (f.find('m') != std::string::npos) flags |= std::regex::multiline;
    p.erase(0, close + 1);
  }
  std::string q;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.compare(i, 4, "(?P<") == 0) {  // named group -> plain group
      const auto gt = p.find('>', i);
      if (gt == std::string::npos) break;
      q += '(';
      i = gt;
    } else if (p[i] == '\\' && i + 1 < p.size()) {
      const char c = p[i + 1];
      q += c == 'A' ? std::string("^") : c == 'Z' ? std::string("$") : std::string{'\\', c};
      ++i;
    } else {
      q += p[i];
    }
  }
  if (icase) flags |= std::regex::icase;
  try {
    return std::make_shared<StdRegex>(std::regex(q, flags));
  } catch (const std::regex_error& e) {
    if (error) *error = e.what();
    return nullptr;
  }
}

#endif

struct CacheEntry {
  std::shared_ptr<const CompiledRegex> re;
  std::string error;
};

}  // namespace

std::shared_ptr<const CompiledRegex> compile_regex(const std::string& pattern, bool icase, std::string* error) {
  static std::mutex mu;
  static std::unordered_map<std::string, CacheEntry> cache;
  const std::string key = (icase ? "i:" : "-:") + pattern;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end()) {
      if (!it->second.re && error) *error = it->second.error;
      return it->second.re;
    }
  }
  // Compile outside the lock; a rare duplicate compile is harmless.
  CacheEntry e;
  e.re = compile_uncached(pattern, icase, &e.error);
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= 4096) cache.clear();  // bound memory over a long-lived process
  auto [it, inserted] = cache.emplace(key, std::move(e));
  if (!it->second.re && error) *error = it->second.error;
  return it->second.re;
}

std::string regex_escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string regex_engine_name() {
#if SKILLPIPE_HAVE_PCRE2
  return "pcre2 " + std::to_string(PCRE2_MAJOR) + "." + std::to_string(PCRE2_MINOR);
#else
  return "std::regex";
#endif
}

}  // namespace skillpipe::rules
