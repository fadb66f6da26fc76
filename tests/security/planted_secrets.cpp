#include "planted_secrets.hpp"

#include <fstream>
#include <stdexcept>

#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == '\\')) {
      out += s[i + 1] == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<PlantedSecret> load_planted_secrets() {
  const std::string path = test_data_dir() + "/security/planted_secrets.tsv";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<PlantedSecret> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos)
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected kind<TAB>secret<TAB>context");
    PlantedSecret p{line.substr(0, t1), unescape(line.substr(t1 + 1, t2 - t1 - 1)), unescape(line.substr(t2 + 1)), n};
    const auto at = p.text.find("{}");
    if (at == std::string::npos) throw std::runtime_error(path + ":" + std::to_string(n) + ": context has no {}");
    p.text.replace(at, 2, p.secret);
    out.push_back(std::move(p));
  }
  return out;
}

bool fits_in_a_path(const std::string& secret) {
  return secret.size() <= 120 && secret.find_first_of("/ \n\\$%:@") == std::string::npos;
}

}  // namespace skillpipe::testing
