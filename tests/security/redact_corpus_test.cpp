// The redaction rule set against the planted-secrets corpus: every sample found under its own
// kind and gone after redaction; every rule has a sample; docs/security.md lists every rule;
// the safety review flags every sample; ordinary text stays untouched.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "planted_secrets.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/redact_rules.hpp"
#include "skillpipe/kit/safety.hpp"
#include "test_support.hpp"

namespace skillpipe {
namespace {

using testing::load_planted_secrets;

TEST(SecurityRedact, EveryPlantedSecretIsFoundUnderItsKindAndRedacted) {
  const auto corpus = load_planted_secrets();
  for (const auto& p : corpus) {
    SCOPED_TRACE("planted_secrets.tsv:" + std::to_string(p.line) + " " + p.kind);
    const auto found = find_secrets(p.text);
    const std::size_t at = p.text.find(p.secret);
    bool covered = false;
    for (const auto& f : found)
      covered = covered || (f.kind == p.kind && f.offset <= at && f.offset + f.length >= at + p.secret.size());
    std::string kinds;
    for (const auto& f : found) kinds += f.kind + "@" + std::to_string(f.offset) + "+" + std::to_string(f.length) + " ";
    EXPECT_TRUE(covered) << p.text << "\nfound: " << kinds;
    std::int64_t n = 0;
    const std::string out = redact_secrets(p.text, &n);
    EXPECT_EQ(out.find(p.secret), std::string::npos) << out;
    EXPECT_NE(out.find("[REDACTED:" + p.kind + "]"), std::string::npos) << out;
    EXPECT_GE(n, 1);
  }
}

TEST(SecurityRedact, TheCorpusCoversEveryRuleAndAtLeastSixtyKinds) {
  const auto corpus = load_planted_secrets();
  std::map<std::string, int> per_kind;
  for (const auto& p : corpus) ++per_kind[p.kind];
  std::set<std::string> rules;
  for (const auto& r : redaction_rules()) {
    EXPECT_TRUE(rules.insert(std::string(r.kind)).second) << "listed twice: " << r.kind;
    if (r.category == "paths") continue;  // redact_path only; tested below
    EXPECT_GT(per_kind[std::string(r.kind)], 0) << "no planted sample for rule " << r.kind;
  }
  for (const auto& [kind, n] : per_kind) EXPECT_TRUE(rules.count(kind)) << "sample of an unlisted kind " << kind;
  EXPECT_GE(per_kind.size(), 60u);
  EXPECT_GE(corpus.size(), 100u);
}

// docs/security.md carries the table between two markers; regenerate it from the rule table
// with the text this test prints when they differ.
TEST(SecurityRedact, SecurityDocListsExactlyTheRules) {
  const std::string doc = testing::read_text(testing::source_dir() + "/docs/security.md");
  const std::string begin = "<!-- redaction-rules:begin -->\n", end = "<!-- redaction-rules:end -->";
  const auto b = doc.find(begin), e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/security.md has no " << begin;
  ASSERT_NE(e, std::string::npos) << "docs/security.md has no " << end;
  const std::string table = doc.substr(b + begin.size(), e - b - begin.size());
  EXPECT_EQ(table, redaction_rules_markdown()) << "replace the table in docs/security.md with:\n"
                                               << redaction_rules_markdown();
}

TEST(SecurityRedact, TheSafetyReviewFlagsEveryPlantedSecret) {
  for (const auto& p : load_planted_secrets()) {
    SCOPED_TRACE("planted_secrets.tsv:" + std::to_string(p.line) + " " + p.kind);
    const std::string doc = "# Deploy\n\nRun this:\n\n" + p.text + "\n";
    const auto findings = scan_unsafe_content(doc);
    bool secret = false;
    for (const auto& f : findings) {
      secret = secret || (f.kind == "secret" && f.severity == "high");
      EXPECT_EQ(f.excerpt.find(p.secret), std::string::npos) << "the excerpt shows the secret: " << f.excerpt;
    }
    EXPECT_TRUE(secret) << doc;
    EXPECT_TRUE(findings_block(findings, "high"));
  }
}

// Text a developer writes every day: nothing in it is a secret.
TEST(SecurityRedact, OrdinaryTextAndCodeStayUntouched) {
  for (const std::string text : {
           "docker run -p 8080:80 nginx && mysql -p appdb",  // a port, and mysql prompting for the password
           "curl -u \"$USER:$TOKEN\" https://api.example.dev", "sshpass -p \"$SSH_PASS\" ssh host",
           "see src/components/UserProfileCard.tsx and key-value stores", "the sk-learn docs, skeleton task-1234",
           "SKIP_TESTS=1 make", "The key: value pairs in YAML", "primary key: id", "encryption key: see the vault",
           "Mmmm-this-is-an-ordinary-kebab-case-name.v2.and-more-words-here", "12:30 is lunch; 1234567890:later",
           "ssh -p 2222 deploy@host", "redis-cli -h cache ping", "zip -r out.zip src",
           "export NODE_ENV=production PORT=3000", "OPENAI_API_KEY=$OPENAI_API_KEY",
           "ComponentTestHelpers2024 and RandomSeed42", "/home/me/work/projects/skillpipe-2026/build",
           // mkdtemp's suffix in a kebab-case folder (a CI run once redacted it from a raw path)
           "/tmp/skillpipe-test-85XLD9/sessions/2026/03/01/"
           "rollout-2026-03-01T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl",
       }) {
    SCOPED_TRACE(text);
    EXPECT_EQ(redact_secrets(text), text);
    EXPECT_EQ(redact_path(text), text);
  }
}

TEST(SecurityRedact, PathsLoseTokensEvenWhenClaudeFoldedTheirUnderscores) {
  // Claude names the project folder after the working directory with '/' and '_' made '-'.
  const std::string folder = "/home/me/.claude/projects/-tmp-w-gho-Xa7Lq2Pz9Rt4Vb8Nc1Md6Kf3Hj5Gs0Wy2Ue4";
  const std::string out = redact_path(folder + "/0d7ca5fb-cf8a-4162-8a3a-872d83f1d0fa.jsonl");
  EXPECT_EQ(out.find("Xa7Lq2Pz9Rt4Vb8Nc1Md6Kf3Hj5Gs0Wy2Ue4"), std::string::npos) << out;
  EXPECT_NE(out.find("[REDACTED:path_token]"), std::string::npos) << out;
  EXPECT_NE(out.find("0d7ca5fb-cf8a-4162-8a3a-872d83f1d0fa.jsonl"), std::string::npos) << "uuids stay: " << out;
}

TEST(SecurityRedact, OnlyMarkersMeansNothingElseToLearn) {
  EXPECT_TRUE(only_redaction_markers("[REDACTED_MESSAGE len=32 …]"));
  EXPECT_TRUE(only_redaction_markers(" [REDACTED:github_token]\n[REDACTED:jwt]. "));
  EXPECT_FALSE(only_redaction_markers("push with [REDACTED:github_token]"));
  EXPECT_FALSE(only_redaction_markers(""));
  EXPECT_FALSE(only_redaction_markers("[REDACTED:jwt"));  // unterminated: not a marker
}

}  // namespace
}  // namespace skillpipe
