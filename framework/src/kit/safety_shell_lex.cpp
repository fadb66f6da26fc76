// The safety review's shell lexer. It is forgiving on purpose: the input is usually prose
// with inline code, so apostrophes inside words ("don't") stay literal unless the quote is
// closed within the same word ("r'm'"), and unbalanced brackets are ignored.
#include "safety_shell_lex.hpp"

#include <cctype>

namespace skillpipe::safety_detail {
namespace {

struct Frame {
  char close;  // ')' or '`'
  bool saved_dq;
  int segment;        // index of the segment open in this frame
  int outer_segment;  // the segment to resume when the frame closes
};

class Lexer {
 public:
  explicit Lexer(const std::string& s) : s_(s) {}

  std::vector<Segment> run() {
    open_segment("", -1, next_pipeline_++);
    for (i_ = 0; i_ < s_.size(); ++i_) step();
    flush();
    return std::move(segs_);
  }

 private:
  void open_segment(const std::string& opener, int parent, int pipeline) {
    const int at = parent >= 0 ? static_cast<int>(segs_[parent].words.size()) : 0;
    segs_.push_back(Segment{{}, pipeline, parent, at, opener});
    cur_ = static_cast<int>(segs_.size()) - 1;
  }
  void flush() {
    if (!word_.empty() || quoted_) segs_[cur_].words.push_back(word_);
    word_.clear();
    quoted_ = false;
  }
  // A new simple command after `;`, `&&`, `|`...; `pipe` keeps the pipeline id.
  void next_command(bool pipe) {
    flush();
    const Segment& c = segs_[cur_];
    const int pipeline = pipe ? c.pipeline : next_pipeline_++;
    const std::string opener = c.opener;
    const int parent = c.parent, parent_at = c.parent_at;
    open_segment(opener, parent, pipeline);
    segs_[cur_].parent_at = parent_at;
    if (!frames_.empty()) frames_.back().segment = cur_;
  }
  void push_frame(char close, const std::string& opener) {
    flush();
    frames_.push_back(Frame{close, dq_, -1, cur_});
    dq_ = false;
    open_segment(opener, cur_, next_pipeline_++);
    frames_.back().segment = cur_;
  }
  void pop_frame() {
    flush();
    dq_ = frames_.back().saved_dq;
    cur_ = frames_.back().outer_segment;
    frames_.pop_back();
  }
  std::string lower_at(std::size_t i, std::size_t n) const {
    std::string t = s_.substr(i, n);
    for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return t;
  }
  // A quote in the middle of a word is shell quoting only if it closes inside the word.
  bool quote_closes_in_word(char q) const {
    for (std::size_t j = i_ + 1; j < s_.size(); ++j) {
      if (s_[j] == q) return true;
      if (s_[j] == ' ') return false;
    }
    return false;
  }

  void step() {
    const char c = s_[i_];
    const char n = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    if (quoting(c, n) || expansion(c, n)) return;
    if (dq_) {
      word_ += c;
      return;
    }
    if (grouping(c, n) || operators(c, n)) return;
    word_ += c;
  }
  // Quotes and escapes; true when `c` was consumed.
  bool quoting(char c, char n) {
    if (sq_) {
      if (c == '\'')
        sq_ = false;
      else
        word_ += c;
      return true;
    }
    if (c == '\\') {
      if (n) word_ += n;
      ++i_;
      return true;
    }
    if (c == '\'' && !dq_) {
      if (quote_closes_in_word('\'') || (word_.empty() && s_.find('\'', i_ + 1) != std::string::npos)) {
        sq_ = true;
        quoted_ = true;
      } else {
        word_ += c;
      }
      return true;
    }
    if (c == '"') {
      dq_ = !dq_;
      quoted_ = true;
      return true;
    }
    return false;
  }
  // Command substitution and $IFS, which also act inside double quotes.
  bool expansion(char c, char n) {
    if (c == '$' && n == '(') {
      push_frame(')', "$(");
      ++i_;
      return true;
    }
    // ${IFS} and $IFS are the classic way to write a space without one.
    if (c == '$' && lower_at(i_, 6) == "${ifs}") {
      flush();
      i_ += 5;
      return true;
    }
    if (c == '$' && lower_at(i_, 4) == "$ifs" &&
        !std::isalnum(static_cast<unsigned char>(i_ + 4 < s_.size() ? s_[i_ + 4] : ' '))) {
      flush();
      i_ += 3;
      return true;
    }
    if (c == '`') {
      if (!frames_.empty() && frames_.back().close == '`')
        pop_frame();
      else
        push_frame('`', "`");
      return true;
    }
    return false;
  }
  // Subshells, process substitution and closing brackets (outside quotes).
  bool grouping(char c, char n) {
    if (c == ')') {
      if (!frames_.empty() && frames_.back().close == ')')
        pop_frame();
      else
        flush();
      return true;
    }
    if ((c == '<' || c == '>') && n == '(') {
      push_frame(')', "<(");
      ++i_;
      return true;
    }
    if (c == '(') {
      push_frame(')', "(");
      return true;
    }
    return false;
  }
  // Blanks, redirections and the operators that separate commands (outside quotes).
  bool operators(char c, char n) {
    if (c == ' ' || c == '\t') {
      flush();
      return true;
    }
    if (c == '<' || c == '>') {
      // Redirections stay inside the command: "nc host 80 < ~/.ssh/id_rsa".
      flush();
      std::string r(1, c);
      while (i_ + 1 < s_.size() && (s_[i_ + 1] == '>' || s_[i_ + 1] == '&' || s_[i_ + 1] == '<')) r += s_[++i_];
      segs_[cur_].words.push_back(r);
      return true;
    }
    if (c == '|') {
      if (n == '|') {
        ++i_;
        next_command(false);
      } else {
        if (n == '&') ++i_;
        next_command(true);
      }
      return true;
    }
    if (c == ';' || c == '&') {
      if (n == '&') ++i_;
      next_command(false);
      return true;
    }
    return false;
  }

  const std::string& s_;
  std::size_t i_ = 0;
  std::string word_;
  bool quoted_ = false;
  bool sq_ = false;
  bool dq_ = false;
  std::vector<Frame> frames_;
  std::vector<Segment> segs_;
  int cur_ = 0;
  int next_pipeline_ = 0;
};

}  // namespace

std::vector<Segment> lex_segments(const std::string& line) { return Lexer(line).run(); }

std::string command_name(const std::string& word) {
  const auto slash = word.find_last_of('/');
  if (slash == std::string::npos || slash + 1 == word.size()) return word;
  return word.substr(slash + 1);
}

}  // namespace skillpipe::safety_detail
