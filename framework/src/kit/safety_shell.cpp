// Dangerous commands and insecure settings in a drafted skill.
//
// Lines are lexed as shell (safety_shell_lex.hpp) after folding, so quoting, case, extra
// spaces and look-alike letters do not hide a command. Commands are looked for at any word,
// not only the first, because skills are prose with inline code ("then run rm -rf /").
// A command directly preceded by "never"/"do not"/"avoid" is reported at low severity: a
// skill may legitimately warn against it.
#include <algorithm>
#include <initializer_list>
#include <regex>
#include <set>
#include <string>

#include "safety_internal.hpp"
#include "safety_shell_lex.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::safety_detail {
namespace {

using Words = std::vector<std::string>;

const std::set<std::string> kDownloaders = {
    "curl", "wget", "fetch", "aria2c", "iwr", "irm", "invoke-webrequest", "invoke-restmethod", "http", "https", "xh"};
const std::set<std::string> kSenders = {"curl",
                                        "wget",
                                        "nc",
                                        "ncat",
                                        "netcat",
                                        "socat",
                                        "telnet",
                                        "scp",
                                        "rsync",
                                        "sftp",
                                        "ftp",
                                        "http",
                                        "https",
                                        "xh",
                                        "iwr",
                                        "irm",
                                        "invoke-webrequest",
                                        "invoke-restmethod"};
const std::set<std::string> kPrefixes = {"sudo",  "doas", "env",  "exec",    "command",
                                         "nohup", "time", "nice", "builtin", "xargs"};
// Options whose argument is a key used for authentication, not data being sent.
const std::set<std::string> kAuthOptions = {
    "-i",     "--identity",      "-e", "--key",        "--cert", "--cacert", "--capath", "-h", "--header", "-u",
    "--user", "--oauth2-bearer", "-a", "--user-agent", "-b",     "--cookie", "--config"};
const std::set<std::string> kDataOptions = {
    "-d", "--data",        "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii", "-f",          "--form",
    "-t", "--upload-file", "--json",     "--post-data",   "--post-file",      "--body-data",  "--body-file", "<"};

bool is_interpreter(const std::string& w) {
  static const std::set<std::string> kInterp = {"sh",     "bash", "zsh",  "dash",       "ksh",  "csh",
                                                "tcsh",   "ash",  "fish", "perl",       "ruby", "node",
                                                "nodejs", "php",  "pwsh", "powershell", "iex",  "invoke-expression",
                                                "source", ".",    "eval", "deno",       "bun",  "osascript"};
  const std::string c = command_name(w);
  if (kInterp.count(c)) return true;
  for (const char* prefix : {"python", "pypy"}) {
    if (!starts_with(c, prefix)) continue;
    const std::string rest = c.substr(std::string_view(prefix).size());
    return std::all_of(rest.begin(), rest.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; });
  }
  return false;
}

// The command word of a segment, skipping sudo/env/... with their flags and VAR=value.
std::string leading_command(const Words& w) {
  for (const auto& x : w) {
    if (x.empty() || x[0] == '-' || x.find('=') != std::string::npos) continue;
    if (kPrefixes.count(command_name(x))) continue;
    return x;
  }
  return {};
}

bool cred_file(const std::string& w) {
  // Cheap filter first: the regex only runs on words that can match it.
  static const char* kParts[] = {".ssh",        "id_",     ".aws",  ".netrc", ".git-cred", ".npmrc",
                                 ".pypirc",     ".docker", ".kube", ".gnupg", "/etc/",     ".config/gh",
                                 "credentials", ".env",    ".pem",  ".key",   ".p12",      ".pfx"};
  if (ends_with(w, ".pub") ||
      std::none_of(std::begin(kParts), std::end(kParts), [&](const char* p) { return w.find(p) != std::string::npos; }))
    return false;
  static const std::regex kCred(
      R"((\.ssh/|id_(rsa|dsa|ecdsa|ed25519)\b|\.aws/(credentials|config)|\.netrc|\.git-credentials|)"
      R"(\.npmrc|\.pypirc|\.docker/config\.json|\.kube/config|\.gnupg/|/etc/(shadow|passwd|sudoers)|)"
      R"(\.config/gh/hosts|credentials\.json|(^|[/@=])\.env(\.[a-z]+)?$|\.(pem|key|p12|pfx)$))");
  return std::regex_search(w, kCred);
}

bool secret_var(const std::string& w) {
  if (w.find('$') == std::string::npos) return false;
  static const std::regex kVar(
      R"(\$\{?[a-z0-9_]*(token|secret|passw(or)?d|passwd|api_?key|apikey|access_key|private_key|credential)[a-z0-9_]*)");
  return std::regex_search(w, kVar);
}

bool env_dump(const Words& w) {
  std::size_t i = 0;
  while (i < w.size() && (w[i] == "sudo" || w[i] == "doas")) ++i;
  if (i == w.size()) return false;
  const std::string cmd = command_name(w[i]);
  if (cmd != "env" && cmd != "printenv" && cmd != "set" && cmd != "export" && cmd != "declare") return false;
  for (std::size_t k = i + 1; k < w.size(); ++k)
    if (!w[k].empty() && w[k][0] != '-') return false;  // printenv HOME prints one value
  return true;
}

// "/", "/*", "~", "$HOME", or a top-level system directory.
bool catastrophic_target(std::string t) {
  if (ends_with(t, "/*"))
    t.resize(t.size() - 2);
  else if (t == "*")
    return false;
  while (t.size() > 1 && t.back() == '/') t.pop_back();
  if (t.empty() || t == "/" || t == "~" || t == "$home" || t == "${home}" || t == "~/" || t == "//") return true;
  static const std::regex kSys(
      "/(bin|boot|dev|etc|home|lib|lib32|lib64|opt|proc|root|sbin|srv|sys|usr|var|users|system|"
      "library|applications|private)");
  return std::regex_match(t, kSys);
}

struct Ctx {
  const Line& line;
  const std::vector<Segment>& segs;   // words lower-cased
  const std::vector<Segment>& cased;  // the same segments as written (after folding)
  Findings& out;
};

// True when the words just before segs[s].words[k] (or before the backtick it sits in) say
// not to run it.
bool negated(const Ctx& c, int s, std::size_t k) {
  Words before(c.segs[s].words.begin(), c.segs[s].words.begin() + static_cast<long>(k));
  if (before.size() < 2 && c.segs[s].parent >= 0 && c.segs[s].opener == "`") {
    const Words& p = c.segs[c.segs[s].parent].words;
    before.insert(before.begin(), p.begin(),
                  p.begin() + std::min<long>(c.segs[s].parent_at, static_cast<long>(p.size())));
  }
  static const std::set<std::string> kNeg = {"never", "not", "don't", "dont", "avoid", "nor"};
  static const std::set<std::string> kVerb = {"run",     "use",   "execute",   "call", "type",
                                              "running", "using", "executing", "do",   "ever"};
  const std::size_t n = before.size();
  if (n >= 1 && kNeg.count(before[n - 1])) return true;
  return n >= 2 && kNeg.count(before[n - 2]) && kVerb.count(before[n - 1]);
}

void report(const Ctx& c, int s, std::size_t k, const char* kind, const char* rule, const char* sev) {
  add_finding(c.out, kind, rule, negated(c, s, k) ? "low" : sev, c.line.raw, c.line.number);
}

void check_rm(const Ctx& c, int s, std::size_t k, const Words& v) {
  bool recursive = false, no_root = false, end_opts = false, high = false, medium = false;
  for (std::size_t j = 1; j < v.size(); ++j) {
    const std::string& w = v[j];
    if (!end_opts && w == "--") {
      end_opts = true;
    } else if (!end_opts && w.size() > 1 && w[0] == '-') {
      if (w == "--no-preserve-root") no_root = true;
      if (w == "--recursive" || (w[1] != '-' && w.find('r') != std::string::npos)) recursive = true;
    } else if (catastrophic_target(w)) {
      high = true;
    } else if (w == "*" || w == "." || w == ".." || w == "./*" || w == "./") {
      medium = true;
    }
  }
  if (no_root || (recursive && high))
    report(c, s, k, "dangerous_command", "recursive_delete_root", "high");
  else if (recursive && medium)
    report(c, s, k, "dangerous_command", "recursive_delete_wildcard", "medium");
}

void check_command(const Ctx& c, int s, std::size_t k) {
  static const std::set<std::string> kWatched = {"rm", "find", "chmod", "git", "curl", "dd"};
  const std::string cmd = command_name(c.segs[s].words[k]);
  if (!kWatched.count(cmd) && !kSenders.count(cmd) && !starts_with(cmd, "mkfs")) return;
  const Words v(c.segs[s].words.begin() + static_cast<long>(k), c.segs[s].words.end());
  if (cmd == "rm") {
    check_rm(c, s, k, v);
  } else if (cmd == "find" && v.size() > 1 && catastrophic_target(v[1])) {
    for (const auto& w : v)
      if (w == "-delete" || w == "rm") report(c, s, k, "dangerous_command", "recursive_delete_root", "high");
  } else if (cmd == "chmod") {
    static const std::regex kNum("0*[0-7]?[0-7][0-7][2367]");
    static const std::regex kSym("[ugo]*[ao][ugoa]*[+=][rwxxst]*w[rwxst]*");
    for (std::size_t j = 1; j < v.size(); ++j)
      for (const auto& part : split(v[j], ','))
        if (std::regex_match(part, kNum) || std::regex_match(part, kSym))
          report(c, s, k, "dangerous_command", "world_writable_permissions", "medium");
  } else if (cmd == "git") {
    bool push = false;
    static const std::regex kShortF("-[a-z]*f[a-z]*");
    for (std::size_t j = 1; j < v.size(); ++j) {
      const std::string& w = v[j];
      if (w == "push")
        push = true;
      else if (push && (w == "--force" || starts_with(w, "--force-with-lease") || w == "--force-if-includes" ||
                        std::regex_match(w, kShortF) || (w.size() > 1 && w[0] == '+')))
        report(c, s, k, "dangerous_command", "force_push", "medium");
    }
  } else if (cmd == "curl") {
    // -k is --insecure; -K (upper case) reads a config file.
    static const std::regex kShortK("-[a-zA-Z]*k[a-zA-Z]*");
    const Words& as_written = c.cased[s].words;
    for (std::size_t j = 1; j < v.size(); ++j)
      if (v[j] == "--insecure" || std::regex_match(as_written[k + j], kShortK))
        report(c, s, k, "dangerous_command", "tls_verification_disabled", "medium");
  } else if (cmd == "dd") {
    for (const auto& w : v)
      if (starts_with(w, "of=/dev/") && w != "of=/dev/null")
        report(c, s, k, "dangerous_command", "disk_overwrite", "high");
  } else if (starts_with(cmd, "mkfs")) {
    report(c, s, k, "dangerous_command", "disk_overwrite", "high");
  }
  if (kSenders.count(cmd)) {
    for (std::size_t j = 1; j < v.size(); ++j) {
      const std::string& prev = v[j - 1];
      // An option argument or a header value ("-H 'Authorization: Bearer $TOKEN'", also
      // when the quotes are dropped) authenticates; it is not data being sent.
      if (kAuthOptions.count(prev) || prev == "bearer" || prev == "token" || prev == "basic" ||
          (prev.size() > 1 && prev.back() == ':'))
        continue;
      if (cred_file(v[j])) {
        report(c, s, k, "dangerous_command", "credential_exfiltration", "high");
      } else if (secret_var(v[j])) {
        // As data it is sent away; elsewhere (a URL, an argument) it at least ends up in logs.
        const bool data = kDataOptions.count(prev) > 0;
        report(c, s, k, "dangerous_command", data ? "credential_exfiltration" : "secret_in_url",
               data ? "high" : "medium");
      }
    }
  }
}

bool segment_has(const Segment& seg, const std::set<std::string>& names) {
  for (const auto& w : seg.words)
    if (names.count(command_name(w))) return true;
  return false;
}

bool decoder(const Words& w) {
  for (std::size_t k = 0; k < w.size(); ++k) {
    const std::string cmd = command_name(w[k]);
    if (cmd != "base64" && cmd != "gbase64" && cmd != "openssl" && cmd != "xxd" && cmd != "certutil" &&
        cmd != "uudecode")
      continue;
    for (std::size_t j = k + 1; j < w.size(); ++j) {
      if ((cmd == "base64" || cmd == "openssl" || cmd == "gbase64") &&
          (w[j] == "-d" || w[j] == "--decode" || w[j] == "-d=true"))
        return true;
      if (cmd == "xxd" && (w[j] == "-r" || w[j] == "-rp" || w[j] == "-pr")) return true;
      if (cmd == "certutil" && w[j] == "-decode") return true;
    }
    if (cmd == "uudecode") return true;
  }
  return false;
}

bool interpreter_segment(const Segment& seg) {
  const std::string lead = leading_command(seg.words);
  return !lead.empty() && is_interpreter(lead);
}

// Data leaving through a pipe or a substitution: `cat ~/.aws/credentials | curl -d @- ...`.
bool leaks_secret(const Segment& seg) {
  if (env_dump(seg.words)) return true;
  for (const auto& w : seg.words)
    if (cred_file(w) || secret_var(w)) return true;
  return false;
}

void check_flows(const Ctx& c) {
  const auto& segs = c.segs;
  for (int a = 0; a < static_cast<int>(segs.size()); ++a) {
    const bool downloads = segment_has(segs[a], kDownloaders);
    const bool decodes = decoder(segs[a].words);
    const bool leaks = leaks_secret(segs[a]) && !segment_has(segs[a], kSenders);
    // Later segments of the same pipeline.
    for (int b = a + 1; b < static_cast<int>(segs.size()); ++b) {
      if (segs[b].pipeline != segs[a].pipeline) continue;
      if (downloads && interpreter_segment(segs[b]))
        report(c, a, 0, "dangerous_command", "download_pipe_shell", "high");
      if (decodes && interpreter_segment(segs[b])) report(c, a, 0, "dangerous_command", "decode_pipe_shell", "high");
      if (leaks && segment_has(segs[b], kSenders))
        report(c, a, 0, "dangerous_command",
               env_dump(segs[a].words) ? "environment_exfiltration" : "credential_exfiltration", "high");
    }
    // Substitutions: bash -c "$(curl ...)", sh <(wget -O- ...), curl -d "$(cat ~/.netrc)".
    const int p = segs[a].parent;
    if (p >= 0 && segs[a].opener != "(" && segs[a].opener != "") {
      if ((downloads || decodes) && interpreter_segment(segs[p]))
        report(c, a, 0, "dangerous_command", downloads ? "download_exec_substitution" : "decode_pipe_shell", "high");
      if (leaks_secret(segs[a]) && segment_has(segs[p], kSenders))
        report(c, a, 0, "dangerous_command",
               env_dump(segs[a].words) ? "environment_exfiltration" : "credential_exfiltration", "high");
    }
    // curl -o x.sh URL && sh x.sh
    if (downloads) {
      std::string file;
      const Words& w = segs[a].words;
      for (std::size_t k = 0; k + 1 < w.size(); ++k)
        if (w[k] == "-o" || w[k] == "--output" || w[k] == "--output-document") file = command_name(w[k + 1]);
      if (!file.empty() && file != "-" && file != "/dev/null") {
        for (int b = a + 1; b < static_cast<int>(segs.size()); ++b) {
          const std::string lead = command_name(leading_command(segs[b].words));
          bool runs = lead == file;
          if (interpreter_segment(segs[b]))
            for (const auto& x : segs[b].words) runs = runs || command_name(x) == file;
          if (runs) report(c, a, 0, "dangerous_command", "download_then_execute", "medium");
        }
      }
    }
  }
}

// Settings that switch off certificate checks, in any language or tool.
void check_tls_settings(const Line& l, Findings& out) {
  static const std::regex kTls(
      R"(--no-check-certificate|--verify[= ](no|false)\b|--trusted-host\b|--insecure-skip-tls-verify|)"
      R"(--tls-verify=false|node_tls_reject_unauthorized\s*=\s*["']?0|git_ssl_no_verify\s*=\s*["']?(1|true|yes)|)"
      R"(http\.sslverify\s*[= ]\s*["']?(false|0|no)\b|strict-ssl\s*[= ]\s*["']?false|\bverify\s*=\s*false\b|)"
      R"(ssl\._create_unverified_context|rejectunauthorized\s*:\s*false|insecureskipverify\s*:\s*true|)"
      R"(curlopt_ssl_verify(peer|host)\s*,\s*(0|false)|check_hostname\s*=\s*false|\bcert_none\b|)"
      R"(pythonhttpsverify\s*=\s*["']?0)");
  static const char* kHints[] = {"verif", "insecure", "trusted-host", "tls", "ssl", "cert", "reject"};
  if (std::none_of(std::begin(kHints), std::end(kHints),
                   [&](const char* h) { return l.norm.find(h) != std::string::npos; }))
    return;
  if (std::regex_search(l.norm, kTls))
    add_finding(out, "dangerous_command", "tls_verification_disabled", "medium", l.raw, l.number);
}

// Code rather than shell: a credential file or the whole environment sent over HTTP.
void check_code_exfiltration(const Line& l, Findings& out) {
  static const std::regex kHttp(
      R"(((requests|httpx|session|axios|client)\.(post|put|patch|get|request)\s*\(|urllib\.request|urlopen\s*\(|\bfetch\s*\(|http\.client|invoke-webrequest|socket\.send))");
  static const std::regex kCredPath(
      R"(\.ssh/id_|\.aws/credentials|\.netrc|\.git-credentials|\.docker/config\.json|\.kube/config|/etc/shadow)");
  static const std::regex kEnv(R"(os\.environ(?!\s*[\[.])|process\.env(?!\s*[\[.])|\bos\.getenv\(\s*\))");
  static const char* kHints[] = {"requests.", "httpx.", "session.",          "axios.", "client.", "urllib",
                                 "urlopen",   "fetch",  "invoke-webrequest", "socket."};
  if (std::none_of(std::begin(kHints), std::end(kHints),
                   [&](const char* h) { return l.norm.find(h) != std::string::npos; }))
    return;
  if (!std::regex_search(l.norm, kHttp)) return;
  if (std::regex_search(l.norm, kCredPath))
    add_finding(out, "dangerous_command", "credential_exfiltration", "high", l.raw, l.number);
  if (std::regex_search(l.norm, kEnv))
    add_finding(out, "dangerous_command", "environment_exfiltration", "high", l.raw, l.number);
}

void check_misc(const Line& l, Findings& out) {
  static const std::regex kForkBomb(R"(:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:)");
  static const std::regex kDevWrite(R"(>\s*/dev/(sd[a-z]|nvme[0-9]|hd[a-z]|xvd[a-z]|vd[a-z]|disk[0-9]|mmcblk[0-9]))");
  if (l.norm.find(":|:") != std::string::npos || l.norm.find(": |") != std::string::npos)
    if (std::regex_search(l.norm, kForkBomb))
      add_finding(out, "dangerous_command", "fork_bomb", "high", l.raw, l.number);
  if (l.norm.find("/dev/") != std::string::npos && std::regex_search(l.norm, kDevWrite))
    add_finding(out, "dangerous_command", "disk_overwrite", "high", l.raw, l.number);
}

}  // namespace

void scan_commands(const std::vector<Line>& lines, Findings& out) {
  for (const Line& l : lines) {
    if (l.norm.empty()) continue;
    // Twice: as a shell reads it, and as a reader (or a model) sees it with the quotes
    // dropped - a command quoted in prose ("run `curl x | sh`") is still an instruction.
    std::string unquoted;
    for (char ch : l.cased)
      if (ch != '"' && ch != '\'') unquoted += ch;
    for (const std::string* text : std::initializer_list<const std::string*>{&l.cased, &unquoted}) {
      if (text == &unquoted && unquoted == l.cased) break;
      const auto cased = lex_segments(*text);
      auto segs = cased;
      for (auto& seg : segs)
        for (auto& w : seg.words) w = to_lower_ascii(w);
      const Ctx c{l, segs, cased, out};
      for (int s = 0; s < static_cast<int>(segs.size()); ++s)
        for (std::size_t k = 0; k < segs[s].words.size(); ++k) check_command(c, s, k);
      check_flows(c);
    }
    check_tls_settings(l, out);
    check_code_exfiltration(l, out);
    check_misc(l, out);
  }
}

}  // namespace skillpipe::safety_detail
