// redact_rules.cpp - the vendor-prefix rule table and the catalogue of every kind the
// detector reports.
//
// Most provider tokens announce themselves with a fixed prefix (ghp_, xoxb-, shpat_, hvs.);
// one table holds them, so adding a provider is one line. The prefilter is a 64 Kibit set of
// the (first, second) byte pairs that begin any prefix: ordinary text pays one bit test per
// byte, and only a matching pair compares prefixes.
#include <algorithm>
#include <array>
#include <string>

#include "redact_internal.hpp"
#include "skillpipe/abi.hpp"
#include "skillpipe/kit/redact_rules.hpp"

namespace skillpipe {
namespace redact_detail {
namespace {

enum class Cs : unsigned char {
  kAlnum, kUpperAlnum, kLowerAlnum, kHex, kB64Url, kB64UrlDot, kB64UrlEq, kB64Any, kAlnumDash, kAlnumDollar, kUrlPath
};

bool in_cs(Cs cs, unsigned char c) {
  switch (cs) {
    case Cs::kAlnum: return is_alnum(c);
    case Cs::kUpperAlnum: return is_upper(c) || is_digit(c);
    case Cs::kLowerAlnum: return is_lower(c) || is_digit(c);
    case Cs::kHex: return is_hex(c);
    case Cs::kB64Url: return is_b64url(c);
    case Cs::kB64UrlDot: return is_b64url(c) || c == '.';
    case Cs::kB64UrlEq: return is_b64url(c) || c == '=';
    case Cs::kB64Any: return is_b64url(c) || c == '+' || c == '/' || c == '=';
    case Cs::kAlnumDash: return is_alnum(c) || c == '-';
    case Cs::kAlnumDollar: return is_alnum(c) || c == '$';
    case Cs::kUrlPath: return is_b64url(c) || c == '/' || c == '@' || c == '.';
  }
  return false;
}

enum Flag : unsigned char { kNone = 0, kMixed = 1, kKeepPrefix = 2 };

struct PrefixRule {
  sv prefix;
  sv kind;
  Cs cs;
  unsigned short min;  // body length after the prefix
  unsigned short max;  // 0 = unbounded; a bounded body must end at a word boundary
  unsigned char flags = kNone;
};

// Formats follow the providers' documentation and gitleaks' rule set (minimum lengths a
// little below the real ones, so a truncated paste is still caught).
constexpr PrefixRule kRules[] = {
    // Cloud
    {"AIza", "google_api_key", Cs::kB64Url, 35, 0},
    {"ya29.", "google_oauth_token", Cs::kB64UrlDot, 20, 0},
    {"GOCSPX-", "google_oauth_secret", Cs::kB64Url, 20, 0},
    {"LTAI", "alibaba_access_key", Cs::kAlnum, 12, 24, kMixed},
    {"dop_v1_", "digitalocean_token", Cs::kHex, 64, 64},
    {"doo_v1_", "digitalocean_token", Cs::kHex, 64, 64},
    {"dor_v1_", "digitalocean_token", Cs::kHex, 64, 64},
    {"HRKU-", "heroku_api_key", Cs::kB64Url, 30, 0},
    {"dapi", "databricks_token", Cs::kHex, 32, 32},
    {"fo1_", "fly_token", Cs::kB64Url, 40, 0},
    {"tskey-", "tailscale_key", Cs::kB64Url, 20, 0, kMixed},
    {"hvs.", "vault_token", Cs::kB64Url, 24, 0},
    {"hvb.", "vault_token", Cs::kB64Url, 24, 0},
    {"hvr.", "vault_token", Cs::kB64Url, 24, 0},
    {"dp.pt.", "doppler_token", Cs::kAlnum, 40, 0},
    {"dp.st.", "doppler_token", Cs::kAlnum, 40, 0},
    {"dp.sa.", "doppler_token", Cs::kAlnum, 40, 0},
    {"dp.ct.", "doppler_token", Cs::kAlnum, 40, 0},
    {"pul-", "pulumi_token", Cs::kHex, 40, 40},
    {"AGE-SECRET-KEY-1", "age_secret_key", Cs::kUpperAlnum, 50, 0},
    {"pscale_tkn_", "planetscale_token", Cs::kB64Url, 32, 0},
    {"pscale_pw_", "planetscale_token", Cs::kB64Url, 32, 0},
    {"pscale_oauth_", "planetscale_token", Cs::kB64Url, 32, 0},
    {"sbp_", "supabase_token", Cs::kAlnum, 40, 0},
    {"ops_eyJ", "onepassword_token", Cs::kB64UrlDot, 50, 0},
    {"glc_", "grafana_token", Cs::kB64Any, 32, 0},
    {"glsa_", "grafana_token", Cs::kB64Url, 32, 0},
    // Version control
    {"ghp_", "github_token", Cs::kAlnum, 30, 0},
    {"gho_", "github_token", Cs::kAlnum, 30, 0},
    {"ghu_", "github_token", Cs::kAlnum, 30, 0},
    {"ghs_", "github_token", Cs::kAlnum, 30, 0},
    {"ghr_", "github_token", Cs::kAlnum, 30, 0},
    {"github_pat_", "github_token", Cs::kB64Url, 40, 0},
    {"glpat-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"gldt-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"glrt-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"glptt-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"glft-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"glsoat-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"glcbt-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"gloas-", "gitlab_token", Cs::kB64Url, 20, 0},
    {"ATBB", "bitbucket_app_password", Cs::kAlnum, 28, 0, kMixed},
    {"ATATT3", "atlassian_api_token", Cs::kB64UrlEq, 60, 0},
    {"ATCTT3", "atlassian_api_token", Cs::kB64UrlEq, 60, 0},
    // Chat and bots
    {"xoxb-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxp-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxa-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxo-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxs-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxr-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxe-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xoxe.xox", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"xapp-", "slack_token", Cs::kAlnumDash, 10, 0, kMixed},
    {"hooks.slack.com/services/", "slack_webhook", Cs::kUrlPath, 20, 0, kKeepPrefix},
    {"discord.com/api/webhooks/", "discord_webhook", Cs::kUrlPath, 40, 0, kKeepPrefix},
    {"discordapp.com/api/webhooks/", "discord_webhook", Cs::kUrlPath, 40, 0, kKeepPrefix},
    {"webhook.office.com/webhookb2/", "teams_webhook", Cs::kUrlPath, 40, 0, kKeepPrefix},
    // Payment
    {"sk_live_", "stripe_key", Cs::kAlnum, 16, 0},
    {"sk_test_", "stripe_key", Cs::kAlnum, 16, 0},
    {"rk_live_", "stripe_key", Cs::kAlnum, 16, 0},
    {"rk_test_", "stripe_key", Cs::kAlnum, 16, 0},
    {"whsec_", "stripe_key", Cs::kAlnum, 24, 0},
    {"pk_live_", "stripe_publishable_key", Cs::kAlnum, 16, 0},
    {"pk_test_", "stripe_publishable_key", Cs::kAlnum, 16, 0},
    {"sq0atp-", "square_token", Cs::kB64Url, 22, 0},
    {"sq0csp-", "square_token", Cs::kB64Url, 40, 0},
    {"EAAA", "square_token", Cs::kB64UrlEq, 60, 0, kMixed},
    {"access_token$production$", "braintree_token", Cs::kAlnumDollar, 40, 0},
    {"access_token$sandbox$", "braintree_token", Cs::kAlnumDollar, 40, 0},
    {"FLWSECK-", "flutterwave_key", Cs::kAlnumDash, 32, 0},
    {"FLWSECK_TEST-", "flutterwave_key", Cs::kAlnumDash, 32, 0},
    {"shpat_", "shopify_token", Cs::kHex, 32, 32},
    {"shpss_", "shopify_token", Cs::kHex, 32, 32},
    {"shpca_", "shopify_token", Cs::kHex, 32, 32},
    {"shppa_", "shopify_token", Cs::kHex, 32, 32},
    // Email and SMS
    {"SG.", "sendgrid_key", Cs::kB64UrlDot, 60, 0, kMixed},
    {"key-", "mailgun_key", Cs::kHex, 32, 32},
    {"SK", "twilio_api_key", Cs::kHex, 32, 32, kMixed},
    {"xkeysib-", "brevo_key", Cs::kAlnumDash, 70, 0},
    // Package registries
    {"npm_", "npm_token", Cs::kAlnum, 36, 36},
    {"pypi-Ag", "pypi_token", Cs::kB64Url, 50, 0},
    {"rubygems_", "rubygems_key", Cs::kHex, 48, 48},
    {"oy2", "nuget_key", Cs::kLowerAlnum, 43, 43},
    {"dckr_pat_", "dockerhub_token", Cs::kB64Url, 27, 0},
    {"dckr_oat_", "dockerhub_token", Cs::kB64Url, 27, 0},
    {"CLOJARS_", "clojars_token", Cs::kAlnum, 60, 0},
    {"AKCp", "jfrog_api_key", Cs::kAlnum, 60, 0},
    {"cio", "crates_io_token", Cs::kAlnum, 32, 32, kMixed},
    // AI providers
    {"sk-ant-", "anthropic_key", Cs::kB64Url, 20, 0, kMixed},
    {"sk-", "openai_key", Cs::kB64Url, 20, 0, kMixed},
    {"hf_", "huggingface_token", Cs::kAlnum, 30, 0},
    {"api_org_", "huggingface_token", Cs::kAlnum, 30, 0},
    {"gsk_", "groq_key", Cs::kAlnum, 50, 0},
    {"r8_", "replicate_token", Cs::kAlnum, 37, 40},
    {"pplx-", "perplexity_key", Cs::kAlnum, 40, 0},
    {"xai-", "xai_key", Cs::kAlnum, 70, 0},
    // Observability
    {"sntrys_", "sentry_token", Cs::kB64Any, 50, 0},
    {"sntryu_", "sentry_token", Cs::kHex, 64, 64},
    {"NRAK-", "new_relic_key", Cs::kUpperAlnum, 27, 27},
    {"NRJS-", "new_relic_key", Cs::kHex, 19, 19},
    {"NRII-", "new_relic_key", Cs::kAlnumDash, 32, 0},
    {"dt0c01.", "dynatrace_token", Cs::kB64UrlDot, 80, 0},
    // Productivity and developer tools
    {"lin_api_", "linear_api_key", Cs::kAlnum, 40, 40},
    {"lin_oauth_", "linear_api_key", Cs::kHex, 64, 64},
    {"ntn_", "notion_token", Cs::kAlnum, 40, 0},
    {"figd_", "figma_token", Cs::kB64Url, 40, 0},
    {"PMAK-", "postman_key", Cs::kAlnumDash, 59, 0},
    {"shippo_live_", "shippo_token", Cs::kHex, 40, 40},
    {"shippo_test_", "shippo_token", Cs::kHex, 40, 40},
};

struct Index {
  std::bitset<65536> pairs;
  std::array<std::vector<const PrefixRule*>, 256> by_first;  // longest prefix first
  Index() {
    for (const PrefixRule& r : kRules) {
      auto c0 = static_cast<unsigned char>(r.prefix[0]), c1 = static_cast<unsigned char>(r.prefix[1]);
      pairs.set(c0 * 256u + c1);
      by_first[c0].push_back(&r);
    }
    for (auto& v : by_first)
      std::stable_sort(v.begin(), v.end(),
                       [](const PrefixRule* a, const PrefixRule* b) { return a->prefix.size() > b->prefix.size(); });
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

bool try_rule(sv t, std::size_t i, const PrefixRule& r, std::vector<SecretFinding>& out) {
  if (t.compare(i, r.prefix.size(), r.prefix) != 0) return false;
  const bool keep = r.flags & kKeepPrefix;  // the caller checked the word boundary before t[i]
  const std::size_t b = i + r.prefix.size();
  const std::size_t n = run(t, b, [&](unsigned char c) { return in_cs(r.cs, c); });
  if (n < r.min) return false;
  if (r.max && (n > r.max || !boundary_after(t, b + n))) return false;
  if ((r.flags & kMixed) && !has_digit_and_letter(t.substr(b, n))) return false;
  if (keep) out.push_back({std::string(r.kind), b, n});
  else out.push_back({std::string(r.kind), i, r.prefix.size() + n});
  return true;
}

}  // namespace

const std::bitset<65536>& prefix_pairs() { return index().pairs; }

void find_prefixed(sv t, std::size_t i, std::vector<SecretFinding>& out) {
  const char c1 = t[i + 1];  // the caller checked i + 1 < size
  for (const PrefixRule* r : index().by_first[static_cast<unsigned char>(t[i])])
    if (r->prefix[1] == c1 && try_rule(t, i, *r, out)) return;
}

}  // namespace redact_detail

namespace {

// Every kind a finding can carry. A test checks that each has a planted sample and that
// docs/security.md lists it.
constexpr RedactionRule kCatalogue[] = {
    {"aws_access_key", "cloud", "AWS access key ids: AKIA, ASIA, ABIA, ACCA, AGPA, AIDA, AROA, AIPA, ANPA, ANVA, APKA + 16"},
    {"aws_secret_key", "cloud", "AWS secret access keys under an aws...secret label (`aws_secret_access_key = ...`)"},
    {"google_api_key", "cloud", "Google / GCP API keys `AIza...`"},
    {"google_oauth_token", "cloud", "Google OAuth access tokens `ya29.`"},
    {"google_oauth_secret", "cloud", "Google OAuth client secrets `GOCSPX-`"},
    {"private_key", "cloud", "PEM private keys (RSA, EC, DSA, OPENSSH, PGP, PKCS#8 as in GCP service-account `private_key`), also truncated"},
    {"azure_storage_key", "cloud", "Azure storage `AccountKey=`"},
    {"azure_shared_access_key", "cloud", "Azure Service Bus / Event Hubs `SharedAccessKey=`"},
    {"azure_sas_token", "cloud", "Azure SAS `sig=` in a query with `sv=`/`se=`, `SharedAccessSignature=`"},
    {"azure_client_secret", "cloud", "Azure AD client secrets (`xxx8Q~...`)"},
    {"alibaba_access_key", "cloud", "Alibaba Cloud access key ids `LTAI`"},
    {"digitalocean_token", "cloud", "DigitalOcean tokens `dop_v1_`, `doo_v1_`, `dor_v1_`"},
    {"heroku_api_key", "cloud", "Heroku API keys `HRKU-`, and values labelled heroku (`HEROKU_API_KEY=`)"},
    {"databricks_token", "cloud", "Databricks personal access tokens `dapi` + 32 hex"},
    {"fly_token", "cloud", "Fly.io tokens `fo1_`"},
    {"tailscale_key", "cloud", "Tailscale auth and API keys `tskey-`"},
    {"vault_token", "cloud", "HashiCorp Vault tokens `hvs.`, `hvb.`, `hvr.`"},
    {"doppler_token", "cloud", "Doppler tokens `dp.pt.`, `dp.st.`, `dp.sa.`, `dp.ct.`"},
    {"pulumi_token", "cloud", "Pulumi access tokens `pul-`"},
    {"age_secret_key", "cloud", "age encryption secret keys `AGE-SECRET-KEY-1`"},
    {"planetscale_token", "cloud", "PlanetScale tokens and passwords `pscale_tkn_`, `pscale_pw_`, `pscale_oauth_`"},
    {"supabase_token", "cloud", "Supabase access tokens `sbp_`"},
    {"onepassword_token", "cloud", "1Password service-account tokens `ops_eyJ`"},
    {"grafana_token", "cloud", "Grafana Cloud and service-account tokens `glc_`, `glsa_`"},
    {"cloudflare_token", "cloud", "values labelled cloudflare (`CLOUDFLARE_API_TOKEN=`)"},
    {"vercel_token", "cloud", "values labelled vercel (`VERCEL_TOKEN=`)"},
    {"netlify_token", "cloud", "values labelled netlify (`NETLIFY_AUTH_TOKEN=`)"},
    {"github_token", "vcs", "GitHub tokens `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`"},
    {"gitlab_token", "vcs", "GitLab tokens `glpat-`, `gldt-`, `glrt-`, `glptt-`, `glft-`, `glsoat-`, `glcbt-`, `gloas-`"},
    {"bitbucket_app_password", "vcs", "Bitbucket app passwords `ATBB`, and values labelled bitbucket"},
    {"atlassian_api_token", "vcs", "Atlassian (Jira, Confluence) API tokens `ATATT3`, `ATCTT3`"},
    {"slack_token", "chat", "Slack tokens `xoxb-`, `xoxp-`, `xoxa-`, `xoxo-`, `xoxs-`, `xoxr-`, `xoxe-`, `xoxe.xox`, `xapp-`"},
    {"slack_webhook", "chat", "Slack incoming webhooks `hooks.slack.com/services/...`"},
    {"discord_bot_token", "chat", "Discord bot tokens (`M`/`N`/`O` + id `.` timestamp `.` hmac)"},
    {"discord_webhook", "chat", "Discord webhooks `discord(app).com/api/webhooks/...`"},
    {"teams_webhook", "chat", "Microsoft Teams incoming webhooks `*.webhook.office.com/webhookb2/...`"},
    {"telegram_bot_token", "chat", "Telegram bot tokens `123456789:AA...` (also inside `api.telegram.org/bot...`)"},
    {"stripe_key", "payment", "Stripe secret, restricted and webhook keys `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`, `whsec_`"},
    {"stripe_publishable_key", "payment", "Stripe publishable keys `pk_live_`, `pk_test_`"},
    {"square_token", "payment", "Square tokens `sq0atp-`, `sq0csp-`, `EAAA`"},
    {"braintree_token", "payment", "PayPal Braintree access tokens `access_token$production$...`, `access_token$sandbox$...`"},
    {"flutterwave_key", "payment", "Flutterwave secret keys `FLWSECK-`, `FLWSECK_TEST-`"},
    {"shopify_token", "payment", "Shopify tokens `shpat_`, `shpss_`, `shpca_`, `shppa_`"},
    {"sendgrid_key", "email_sms", "SendGrid API keys `SG.`"},
    {"mailgun_key", "email_sms", "Mailgun API keys `key-` + 32 hex"},
    {"mailchimp_key", "email_sms", "Mailchimp API keys (32 hex + `-us` + data center)"},
    {"twilio_api_key", "email_sms", "Twilio API keys `SK` + 32 hex"},
    {"twilio_auth_token", "email_sms", "values labelled twilio (`TWILIO_AUTH_TOKEN=`)"},
    {"brevo_key", "email_sms", "Brevo (Sendinblue) API keys `xkeysib-`"},
    {"npm_token", "registry", "npm access tokens `npm_` (and `_authToken=` lines through the labelled forms)"},
    {"pypi_token", "registry", "PyPI upload tokens `pypi-Ag...`"},
    {"rubygems_key", "registry", "RubyGems API keys `rubygems_`"},
    {"nuget_key", "registry", "NuGet API keys `oy2` + 43"},
    {"dockerhub_token", "registry", "Docker Hub personal and organisation tokens `dckr_pat_`, `dckr_oat_`"},
    {"clojars_token", "registry", "Clojars deploy tokens `CLOJARS_`"},
    {"jfrog_api_key", "registry", "JFrog Artifactory API keys `AKCp`"},
    {"crates_io_token", "registry", "crates.io tokens `cio` + 32"},
    {"openai_key", "ai", "OpenAI (and OpenAI-compatible) keys `sk-`, `sk-proj-`, `sk-svcacct-`"},
    {"anthropic_key", "ai", "Anthropic keys `sk-ant-` (api and admin)"},
    {"huggingface_token", "ai", "Hugging Face tokens `hf_`, `api_org_`"},
    {"groq_key", "ai", "Groq API keys `gsk_`"},
    {"replicate_token", "ai", "Replicate API tokens `r8_`"},
    {"perplexity_key", "ai", "Perplexity API keys `pplx-`"},
    {"xai_key", "ai", "xAI API keys `xai-`"},
    {"sentry_token", "observability", "Sentry auth tokens `sntrys_`, `sntryu_`, and values labelled sentry"},
    {"datadog_key", "observability", "Datadog API and application keys (values labelled datadog or `DD_API_KEY=`/`DD_APP_KEY=`)"},
    {"new_relic_key", "observability", "New Relic keys `NRAK-`, `NRJS-`, `NRII-`, and values labelled newrelic"},
    {"dynatrace_token", "observability", "Dynatrace tokens `dt0c01.`"},
    {"linear_api_key", "productivity", "Linear API keys `lin_api_`, `lin_oauth_`"},
    {"notion_token", "productivity", "Notion integration tokens `ntn_`"},
    {"figma_token", "productivity", "Figma personal access tokens `figd_`"},
    {"postman_key", "productivity", "Postman API keys `PMAK-`"},
    {"shippo_token", "productivity", "Shippo API tokens `shippo_live_`, `shippo_test_`"},
    {"okta_token", "productivity", "values labelled okta (`OKTA_API_TOKEN=`)"},
    {"jwt", "auth", "JSON Web Tokens (`eyJ...` header and payload, with or without signature)"},
    {"bearer_token", "auth", "`Bearer <token>` (Authorization headers, curl -H)"},
    {"basic_auth", "auth", "`Basic <base64 user:password>` (padded or not)"},
    {"authorization", "auth", "the credentials of an `Authorization:` header with any other scheme (`Token`, `Bot`, `Digest`, a vendor's)"},
    {"url_password", "auth", "passwords in URLs `scheme://user:password@host` (postgres, mysql, mongodb, redis, amqp, https, git; an unescaped `#` in the password too)"},
    {"command_line_password", "auth",
     "passwords given to commands: `sshpass -p X`, `mysql -pX`, `redis-cli -a X`, `mongosh -p X`, `docker login -p X`, "
     "`ldapsearch -w X`, `sqlcmd -P X`, `zip -P X`, `7z -pX`, `curl -u user:X`, `smbclient -U user%X`, "
     "`openssl -passin pass:X`, `keytool -storepass X`, `mosquitto_pub -P X`"},
    {"password", "labelled", "values labelled password / passwd / passphrase / pwd / pass (`DB_PASSWORD=`, `DB_PASSWORD=\"a passphrase\"`, `--password X`, `--password=X`)"},
    {"connection_string_password", "labelled", "`Password=...;` in connection strings"},
    {"generic_secret", "labelled", "values labelled *secret, *token, *api_key, *_key, *accesskey, *privatekey, *secret_key_base (`FOO_SECRET=`, `api_key: \"...\"`)"},
    {"labelled_secret", "labelled", "high-entropy values after a qualified `key`: \"encryption key: <hex>\", \"signing key = ...\", \"master key ...\""},
    {"path_token", "paths",
     "in transcript paths only (redact_path): runs of 20+ base64url characters mixing upper case, lower case and "
     "separate digit groups, runs of 32+ letters and digits mixing both, or of 30+ letters changing case often - a "
     "token whose `_` became `-` in a Claude project folder name"},
};

}  // namespace

bool redact_detail::is_label_kind(sv kind) {
  static constexpr sv kLabel[] = {"generic_secret", "password", "connection_string_password", "labelled_secret",
                                  "aws_secret_key", "cloudflare_token", "vercel_token", "netlify_token",
                                  "twilio_auth_token", "datadog_key", "okta_token", "authorization"};
  return std::find(std::begin(kLabel), std::end(kLabel), kind) != std::end(kLabel);
}

bool redact_detail::has_digit_and_letter(sv s) {
  bool d = false, l = false;
  for (unsigned char c : s) {
    d = d || is_digit(c);
    l = l || is_upper(c) || is_lower(c);
  }
  return d && l;
}

SKILLPIPE_VISIBLE std::span<const RedactionRule> redaction_rules() { return kCatalogue; }

SKILLPIPE_VISIBLE std::string redaction_rules_markdown() {
  std::string out = "| kind | category | covers |\n|---|---|---|\n";
  for (const RedactionRule& r : kCatalogue) {
    out.append("| `").append(r.kind).append("` | ").append(r.category).append(" | ");
    for (char c : r.covers) out += c == '|' ? '/' : c;  // a pipe would split the table cell
    out += " |\n";
  }
  return out;
}

}  // namespace skillpipe
