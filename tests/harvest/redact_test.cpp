// Secret redaction: one test per secret kind, plus text that must be left alone.
#include <gtest/gtest.h>

#include "skillpipe/kit/redact.hpp"

namespace skillpipe {
namespace {

struct Case {
  std::string text;
  std::string secret;  // the part that must disappear
  std::string kind;
};

void expect_redacted(const Case& c) {
  SCOPED_TRACE(c.text);
  std::int64_t n = 0;
  std::string out = redact_secrets(c.text, &n);
  EXPECT_EQ(out.find(c.secret), std::string::npos) << out;
  EXPECT_NE(out.find("[REDACTED:" + c.kind + "]"), std::string::npos) << out;
  EXPECT_EQ(n, 1) << out;
  auto found = find_secrets(c.text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, c.kind);
  EXPECT_EQ(c.text.substr(found[0].offset, found[0].length).find(c.secret) != std::string::npos ||
                c.secret.find(c.text.substr(found[0].offset, found[0].length)) != std::string::npos,
            true);
}

void expect_clean(const std::string& text) {
  SCOPED_TRACE(text);
  std::int64_t n = 0;
  EXPECT_EQ(redact_secrets(text, &n), text);
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(find_secrets(text).empty());
}

TEST(HarvestRedact, OpenAiKey) {
  expect_redacted({"export OPENAI_API_KEY=sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56",
                   "openai_key"});
  expect_redacted({"key is sk-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e ok", "sk-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e",
                   "openai_key"});
}

TEST(HarvestRedact, AnthropicKey) {
  expect_redacted({"ANTHROPIC_API_KEY=\"sk-ant-api03-AbCdEf0123456789_ghIJkl-mnOPqr\"",
                   "sk-ant-api03-AbCdEf0123456789_ghIJkl-mnOPqr", "anthropic_key"});
}

TEST(HarvestRedact, AwsAccessKeyAndSecret) {
  expect_redacted({"aws_access_key_id AKIAIOSFODNN7EXAMPLE in the config", "AKIAIOSFODNN7EXAMPLE", "aws_access_key"});
  expect_redacted({"session key ASIAY34FZKBOKMUTVV7A expires", "ASIAY34FZKBOKMUTVV7A", "aws_access_key"});
  EXPECT_EQ(redact_secrets("user AIDAJQABLZS4A3QDU576 ok"), "user [REDACTED:aws_access_key] ok");
  expect_redacted({"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_key"});
}

TEST(HarvestRedact, GithubTokens) {
  expect_redacted({"git push https://ghp_1234567890abcdefghijABCDEFGHIJ123456@github.com/me/x",
                   "ghp_1234567890abcdefghijABCDEFGHIJ123456", "github_token"});
  expect_redacted({"GH_TOKEN github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ012345",
                   "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ012345", "github_token"});
}

TEST(HarvestRedact, GitlabToken) {
  expect_redacted({"token glpat-xY9z8W7v6U5t4S3r2Q1p then", "glpat-xY9z8W7v6U5t4S3r2Q1p", "gitlab_token"});
}

TEST(HarvestRedact, SlackTokenAndWebhook) {
  expect_redacted({"SLACK xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
                   "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack_token"});
  expect_redacted({"post to https://hooks.slack.com/services/T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX",
                   "T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX", "slack_webhook"});
}

TEST(HarvestRedact, GoogleKeys) {
  expect_redacted({"maps key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
                   "google_api_key"});
  expect_redacted({"oauth ya29.a0AfH6SMBx1y2z3A4b5C6d7E8f9G0h-ijkLMNop", "ya29.a0AfH6SMBx1y2z3A4b5C6d7E8f9G0h-ijkLMNop",
                   "google_oauth_token"});
}

TEST(HarvestRedact, StripeKeys) {
  expect_redacted({"stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe_key"});
  expect_redacted({"restricted rk_test_51H8abcdefGHIJKLmnop", "rk_test_51H8abcdefGHIJKLmnop", "stripe_key"});
  expect_redacted({"webhook whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "stripe_key"});
}

TEST(HarvestRedact, AzureStorageKeyAndSas) {
  const std::string key = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYg==";
  expect_redacted({"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + key + ";EndpointSuffix=core.windows.net",
                   key, "azure_storage_key"});
  expect_redacted({"https://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2026-01-01T00%3A00Z&sr=b&sp=r&"
                   "sig=AbCdEf0123456789%2BgHiJkL%3D",
                   "AbCdEf0123456789%2BgHiJkL%3D", "azure_sas_token"});
  expect_redacted({"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=AbC123dEf456GhI789jKl0MnOpQrStUvWx=",
                   "AbC123dEf456GhI789jKl0MnOpQrStUvWx=", "azure_shared_access_key"});
}

TEST(HarvestRedact, AzureClientSecret) {
  expect_redacted({"client_secret_value: abc8Q~Zy1xW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d done", "abc8Q~Zy1xW2vU3tS4rQ5pO6nM7lK8jI9hG0fE1d",
                   "azure_client_secret"});
}

TEST(HarvestRedact, Jwt) {
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  expect_redacted({"cookie session=" + jwt + "; Path=/", jwt, "jwt"});
}

TEST(HarvestRedact, BearerAndBasicAuthHeaders) {
  expect_redacted({"curl -H 'Authorization: Bearer 0a1b2c3d4e5f6a7b8c9d' https://api", "0a1b2c3d4e5f6a7b8c9d",
                   "bearer_token"});
  expect_redacted({"Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy", "basic_auth"});
}

TEST(HarvestRedact, PasswordInUrl) {
  expect_redacted({"DATABASE_URL=postgres://app:s3cr3t-Pw@db.internal:5432/prod", "s3cr3t-Pw", "url_password"});
  expect_redacted({"git clone https://me:tok3nValue@git.example.com/repo.git", "tok3nValue", "url_password"});
}

TEST(HarvestRedact, PasswordInConnectionString) {
  expect_redacted({"Server=tcp:db,1433;Database=app;User Id=sa;Password=Winter2024!;Encrypt=true", "Winter2024!",
                   "connection_string_password"});
}

TEST(HarvestRedact, PemPrivateKey) {
  const std::string pem =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----";
  expect_redacted({"here is my key:\n" + pem + "\nthanks", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "private_key"});
  // A key cut off by a truncated prompt is still a key.
  expect_redacted({"-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7", "MIIEpAIBAAKCAQEA7", "private_key"});
}

// A key whose BEGIN line was cut off (a check's output kept only its end) is still a key.
TEST(HarvestRedact, PemPrivateKeyBodyWithoutItsBeginLine) {
  const std::string body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nq9Zx3Kd0Lm2Pp8Rr1Tt5Vv7Xx9Zz0Aa2Bb4Cc6Dd8Ee==\n";
  const std::string text = "ok: 3 tests\n" + body + "-----END PRIVATE KEY-----\ndone\n";
  std::int64_t n = 0;
  const std::string out = redact_secrets(text, &n);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(out, "ok: 3 tests\n[REDACTED:private_key]\ndone\n");
  // Begun mid-line (after a cut's "…"): taken from the first base64 character.
  EXPECT_EQ(redact_secrets("\xE2\x80\xA6" + body.substr(20) + "-----END RSA PRIVATE KEY-----"),
            "\xE2\x80\xA6[REDACTED:private_key]");
  // With its BEGIN line, one finding as before.
  const auto whole = find_secrets("-----BEGIN PRIVATE KEY-----\n" + body + "-----END PRIVATE KEY-----\n");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].offset, 0u);
  expect_clean("-----END CERTIFICATE-----\n");
  expect_clean("notes\n-----END PRIVATE KEY-----\n");  // an END line with no body before it
}

// What is kept of a cut text is redacted before the cut: a token the cut splits would be one
// character short of its rule afterwards, and no longer recognised.
TEST(HarvestRedact, CutTextsAreRedactedBeforeTheCut) {
  const std::string token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
  const std::string text = std::string(100, 'x') + " " + token + " and more text after it";
  const std::size_t cap = 101 + 33;  // inside the token: "ghp_" + 29 characters
  EXPECT_EQ(find_secrets(text.substr(0, cap)).size(), 0u) << "the cut part alone is not recognised";
  std::int64_t n = 0;
  const std::string head = redacted_head(text, cap, &n);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(head.find("A1b2C3d4"), std::string::npos) << head;
  EXPECT_LE(head.size(), cap + 3);
  EXPECT_EQ(head.substr(head.size() - 3), "\xE2\x80\xA6");
  const std::string tail = redacted_tail(token + " " + std::string(100, 'y'), 120);
  EXPECT_EQ(tail.find("O5p6Q7r8"), std::string::npos) << tail;
  EXPECT_EQ(tail.substr(0, 3), "\xE2\x80\xA6");
  EXPECT_EQ(redacted_head("short " + token, 1000), "short [REDACTED:github_token]");
  EXPECT_EQ(redacted_tail("short", 1000), "short");
  // A tail never starts inside a UTF-8 character.
  const std::string accents = redacted_tail(std::string(10, 'a') + "\xC3\xA9\xC3\xA9\xC3\xA9", 5);
  EXPECT_EQ(accents, "\xE2\x80\xA6\xC3\xA9\xC3\xA9");
}

TEST(HarvestRedact, GenericKeyValueForms) {
  expect_redacted({"api_key: \"a8f9d7s6f5d4s3a2\"", "a8f9d7s6f5d4s3a2", "generic_secret"});
  expect_redacted({"{\"client_secret\": \"Q2x1ZWxlc3M0NTY3ODk\"}", "Q2x1ZWxlc3M0NTY3ODk", "generic_secret"});
  expect_redacted({"ACCESS_TOKEN=8d7e6f5a4b3c2d1e", "8d7e6f5a4b3c2d1e", "generic_secret"});
  expect_redacted({"const apiKey = 'Zx81-kq0P-77aa-BBc9';", "Zx81-kq0P-77aa-BBc9", "generic_secret"});
  expect_redacted({"DB_PASSWORD=supersecret", "supersecret", "password"});
  expect_redacted({"password: hunter22", "hunter22", "password"});
  expect_redacted({"mysql --password hunter22 -h db", "hunter22", "password"});
}

// Forms a review found unredacted: other Authorization schemes, an env-file passphrase in
// quotes, Rails' SECRET_KEY_BASE, an unescaped '#' in a URL password.
TEST(HarvestRedact, OtherAuthorizationSchemesPassphrasesAndUrlHashes) {
  expect_redacted({"curl -H 'Authorization: Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b' https://x.dev",
                   "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b", "authorization"});
  expect_redacted({"DB_PASSWORD=\"correct horse battery staple\"", "correct horse battery staple", "password"});
  expect_redacted({"SECRET_KEY_BASE=5f2b8e1c9a7d3f6e0b4c8a2d7e9f1b3c5a6d8e0f", "5f2b8e1c9a7d3f6e0b4c8a2d7e9f1b3c5a6d8e0f",
                   "generic_secret"});
  expect_redacted({"psql postgres://app:p#ss9Wq2zK@db:5432/app", "p#ss9Wq2zK", "url_password"});
  // Bearer keeps its own kind; prose and URLs that only look alike stay.
  auto bearer = find_secrets("Authorization: Bearer mlxU34VInmcx6vGDGtVIWlsBRldMbkdheyfV2ton");
  ASSERT_EQ(bearer.size(), 1u);
  EXPECT_EQ(bearer[0].kind, "bearer_token");
  expect_clean("Authorization: required for every call");
  expect_clean("the password: \"must be at least 8 characters\"");
  expect_clean("see https://example.com/docs#section-2 and mail me@example.com");
  expect_clean("https://host:8080/page#top then @alice said hi");
}

TEST(HarvestRedact, SeveralSecretsAreAllCounted) {
  std::int64_t n = 0;
  std::string out = redact_secrets("a AKIAIOSFODNN7EXAMPLE b ghp_1234567890abcdefghijABCDEFGHIJ123456 c", &n);
  EXPECT_EQ(n, 2);
  EXPECT_EQ(out, "a [REDACTED:aws_access_key] b [REDACTED:github_token] c");
}

TEST(HarvestRedact, HashesUuidsAndOrdinaryTextAreNotSecrets) {
  expect_clean("commit 3f786850e387550fdab836ed7e6dc881de23001b fixed it");
  expect_clean("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_clean("session 123e4567-e89b-12d3-a456-426614174000 and 019c8a59-e9dd-71f0-9ae3-4079fe9726a9");
  expect_clean("md5 d41d8cd98f00b204e9800998ecf8427e");
  expect_clean("run the task-1234567890abcdefghijkl job; disk-usage-report-generator-v2");
  expect_clean("The Bearer authentication scheme and Basic authentication are described in RFC 7617.");
  expect_clean("token = self.token; password: str; primary_key=True; api_key = os.environ[\"KEY\"]");
  expect_clean("max_tokens=4096, next_token=abc, sort_key=\"created_at\"");
  expect_clean("postgres://app@db:5432/prod and postgres://app:${PGPASSWORD}@db/prod");
  expect_clean("if (a == b && password != confirm) return; x => y");
  expect_clean("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----");
  expect_clean("café naïve 中文 🎉 — plain text with unicode");
  expect_clean("");
}

TEST(HarvestRedact, RedactedTextIsStableAndIdempotent) {
  std::string once = redact_secrets("key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56 end");
  std::int64_t n = 0;
  EXPECT_EQ(redact_secrets(once, &n), once);
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace skillpipe
