// safety_shell_lex.hpp - a small shell lexer for the safety review: enough of shell syntax
// to see through quoting ("r''m", 'rm'), backslashes, ${IFS}, pipelines and command
// substitution, applied to a folded line of Markdown or shell.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::safety_detail {

// A simple command. Segments joined by `|` share a pipeline id; a segment opened by `$(`,
// `<(` or a backtick is nested inside `parent` (the segment it appeared in).
struct Segment {
  std::vector<std::string> words;
  int pipeline = 0;
  int parent = -1;
  int parent_at = 0;   // how many words the parent had when this segment opened
  std::string opener;  // "", "$(", "<(", "`", "("
};

std::vector<Segment> lex_segments(const std::string& line);

// "curl" for "/usr/bin/curl".
std::string command_name(const std::string& word);

}  // namespace skillpipe::safety_detail
