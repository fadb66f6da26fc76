// redact_command.cpp - passwords given on a command line to programs that take them as a
// short flag: `sshpass -p X`, `mysql -pX`, `redis-cli -a X`, `curl -u user:X`, ...
//
// A short flag means a password only for its own program (`docker run -p 8080:80` is a port,
// `mysql -p db` prompts and names a database), so a (program, flag) pair counts only when the
// program is a word of the flag's shell segment before the flag.
#include <algorithm>
#include <string>

#include "redact_internal.hpp"

namespace skillpipe::redact_detail {
namespace {

enum class Form : unsigned char {
  kEither,    // -pX or -p X
  kAttached,  // only -pX (the separate form prompts: mysql -p)
  kSeparate,  // only -p X
};
enum class Value : unsigned char {
  kWhole,      // the argument is the password
  kAfterColon, // user:password (curl -u)
  kAfterPct,   // user%password (smbclient -U)
  kAfterComma, // user,password (lftp -u)
  kAfterPass,  // pass:password (openssl -passin)
};

struct CommandFlag {
  sv program;
  sv flag;  // without the leading '-'
  Form form;
  Value value;
  sv needs_word = {};  // e.g. "login": docker's -p is a password only in `docker login`
};

constexpr CommandFlag kFlags[] = {
    {"sshpass", "p", Form::kEither, Value::kWhole},
    {"mysql", "p", Form::kAttached, Value::kWhole},
    {"mysqldump", "p", Form::kAttached, Value::kWhole},
    {"mysqladmin", "p", Form::kAttached, Value::kWhole},
    {"mysqlimport", "p", Form::kAttached, Value::kWhole},
    {"mysqlcheck", "p", Form::kAttached, Value::kWhole},
    {"mysqlsh", "p", Form::kAttached, Value::kWhole},
    {"mariadb", "p", Form::kAttached, Value::kWhole},
    {"mariadb-dump", "p", Form::kAttached, Value::kWhole},
    {"redis-cli", "a", Form::kEither, Value::kWhole},
    {"mongo", "p", Form::kEither, Value::kWhole},
    {"mongosh", "p", Form::kEither, Value::kWhole},
    {"mongodump", "p", Form::kEither, Value::kWhole},
    {"mongorestore", "p", Form::kEither, Value::kWhole},
    {"mongoexport", "p", Form::kEither, Value::kWhole},
    {"mongoimport", "p", Form::kEither, Value::kWhole},
    {"docker", "p", Form::kEither, Value::kWhole, "login"},
    {"podman", "p", Form::kEither, Value::kWhole, "login"},
    {"nerdctl", "p", Form::kEither, Value::kWhole, "login"},
    {"helm", "p", Form::kEither, Value::kWhole, "login"},
    {"ldapsearch", "w", Form::kEither, Value::kWhole},
    {"ldapadd", "w", Form::kEither, Value::kWhole},
    {"ldapmodify", "w", Form::kEither, Value::kWhole},
    {"ldapdelete", "w", Form::kEither, Value::kWhole},
    {"ldapwhoami", "w", Form::kEither, Value::kWhole},
    {"ldappasswd", "w", Form::kEither, Value::kWhole},
    {"sqlcmd", "P", Form::kEither, Value::kWhole},
    {"bcp", "P", Form::kEither, Value::kWhole},
    {"zip", "P", Form::kSeparate, Value::kWhole},
    {"unzip", "P", Form::kSeparate, Value::kWhole},
    {"7z", "p", Form::kAttached, Value::kWhole},
    {"7za", "p", Form::kAttached, Value::kWhole},
    {"7zz", "p", Form::kAttached, Value::kWhole},
    {"rdesktop", "p", Form::kEither, Value::kWhole},
    {"mosquitto_pub", "P", Form::kEither, Value::kWhole},
    {"mosquitto_sub", "P", Form::kEither, Value::kWhole},
    {"curl", "u", Form::kEither, Value::kAfterColon},
    {"smbclient", "U", Form::kEither, Value::kAfterPct},
    {"lftp", "u", Form::kSeparate, Value::kAfterComma},
    {"openssl", "passin", Form::kSeparate, Value::kAfterPass},
    {"openssl", "passout", Form::kSeparate, Value::kAfterPass},
    {"openssl", "pass", Form::kSeparate, Value::kAfterPass},
    {"openssl", "k", Form::kSeparate, Value::kWhole},
    {"keytool", "storepass", Form::kSeparate, Value::kWhole},
    {"keytool", "keypass", Form::kSeparate, Value::kWhole},
    {"keytool", "srcstorepass", Form::kSeparate, Value::kWhole},
    {"keytool", "deststorepass", Form::kSeparate, Value::kWhole},
    {"jarsigner", "storepass", Form::kSeparate, Value::kWhole},
    {"jarsigner", "keypass", Form::kSeparate, Value::kWhole},
};

bool segment_end(char c) { return c == '\n' || c == ';' || c == '|' || c == '&' || c == '(' || c == '`' || c == '"'; }

// The start of the shell segment holding t[i] (after a newline, ';', '|', '&', '(', '`' or '"'),
// at most 512 bytes back; npos when the segment is longer than that.
std::size_t segment_begin(sv t, std::size_t i) {
  std::size_t b = i;
  while (b > 0 && i - b < 512 && !segment_end(t[b - 1])) --b;
  return b > 0 && !segment_end(t[b - 1]) ? sv::npos : b;
}

// True when `program` is a word of t[b, e) (a path prefix is ignored: /usr/bin/mysql). The word
// need not start the segment: prose says "I ran sshpass -p ..." and sudo/env/VAR=x come first.
bool names_program(sv t, std::size_t b, std::size_t e, sv program) {
  for (std::size_t at = t.find(program, b); at != sv::npos && at + program.size() <= e;
       at = t.find(program, at + 1)) {
    const bool starts = at == b || t[at - 1] == ' ' || t[at - 1] == '/' || t[at - 1] == '\t' || t[at - 1] == '\'';
    const std::size_t end = at + program.size();
    if (starts && end < e && (t[end] == ' ' || t[end] == '\t')) return true;
  }
  return false;
}

// The argument at t[p], shell quotes stripped: [begin, end) of the password inside it.
bool argument_at(sv t, std::size_t p, std::size_t* b, std::size_t* e) {
  if (p >= t.size()) return false;
  char q = t[p];
  if (q == '"' || q == '\'') {
    std::size_t close = t.find(q, p + 1);
    if (close == sv::npos || close - p > 256) return false;
    *b = p + 1, *e = close;
  } else {
    std::size_t end = p;
    while (end < t.size() && !is_space(static_cast<unsigned char>(t[end])) && t[end] != ';' && t[end] != '|' &&
           t[end] != '&' && t[end] != ')' && t[end] != '`' && end - p <= 256)
      ++end;
    *b = p, *e = end;
  }
  return *e > *b;
}

void add_value(sv t, std::size_t b, std::size_t e, Value how, std::vector<SecretFinding>& out) {
  static constexpr char kSep[] = {0, ':', '%', ',', 0};
  if (how == Value::kAfterPass) {
    if (t.compare(b, 5, "pass:") != 0) return;
    b += 5;
  } else if (char sep = kSep[static_cast<int>(how)]) {
    std::size_t at = t.find(sep, b);
    if (at == sv::npos || at >= e) return;
    b = at + 1;
  }
  if (e <= b || t[b] == '$' || t[b] == '<' || t[b] == '-' || t[b] == '{') return;  // a variable or a placeholder
  if (e - b < 3) return;
  out.push_back({"command_line_password", b, e - b});
}

}  // namespace

void find_command_password(sv t, std::size_t i, std::vector<SecretFinding>& out) {
  const std::size_t f = i + 1;
  const std::size_t n = run(t, f, is_alnum);
  if (n == 0) return;
  const std::size_t seg = segment_begin(t, i);
  if (seg == sv::npos) return;
  for (const CommandFlag& c : kFlags) {
    const bool exact = n == c.flag.size() && t.compare(f, n, c.flag) == 0;
    const bool attached = c.flag.size() == 1 && n > 1 && t[f] == c.flag[0];
    if ((!exact && !attached) || !names_program(t, seg, i, c.program)) continue;
    if (!c.needs_word.empty() && !names_program(t, seg, i, c.needs_word)) continue;
    std::size_t b = 0, e = 0;
    if (attached && c.form != Form::kSeparate) {
      if (!argument_at(t, f + 1, &b, &e)) return;
    } else if (exact && c.form != Form::kAttached && f + n < t.size() && t[f + n] == ' ') {
      if (!argument_at(t, f + n + 1, &b, &e)) return;
    } else {
      continue;
    }
    add_value(t, b, e, c.value, out);
    return;
  }
}

}  // namespace skillpipe::redact_detail
