// planted_secrets.hpp - the planted-secrets corpus (tests/data/security/planted_secrets.tsv):
// one fake, correctly shaped secret per line, the kind the detector must name it, and a
// context line as a developer would paste it.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::testing {

struct PlantedSecret {
  std::string kind;
  std::string secret;
  std::string text;  // the context with the secret in place
  int line = 0;      // in the .tsv
};

std::vector<PlantedSecret> load_planted_secrets();

// True when the secret could be a directory name (no '/', no blank, no newline, not too long).
bool fits_in_a_path(const std::string& secret);

}  // namespace skillpipe::testing
