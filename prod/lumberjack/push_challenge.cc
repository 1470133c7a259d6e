#include "prod/lumberjack/push_challenge.h"

#include <cstdio>

#include "prod/logfile/digest.h"
#include "prod/lumberjack/customer_config.h"

namespace lj::lumberjack {
namespace {

bool is_lower_hex(std::string_view text, size_t size) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Equal, in a time that does not depend on where they differ.
bool same_digest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

}  // namespace

std::string PushChallenge::encode() const {
  return "url=" + url + "\nsha256=" + token_sha256 + "\n";
}

Result<PushChallenge> PushChallenge::decode(std::string_view text) {
  auto bad = [] {
    return Error(ErrorCode::kCorrupt, "push challenge: not \"url=...\\nsha256=<64 hex>\\n\"");
  };
  if (!text.starts_with("url=")) return bad();
  const size_t url_end = text.find('\n');
  if (url_end == std::string_view::npos) return bad();
  PushChallenge out;
  out.url = std::string(text.substr(4, url_end - 4));
  std::string_view rest = text.substr(url_end + 1);
  if (!rest.starts_with("sha256=") || !rest.ends_with('\n')) return bad();
  rest = rest.substr(7, rest.size() - 8);
  if (!is_lower_hex(rest, 64)) return bad();
  out.token_sha256 = std::string(rest);
  return out;
}

std::string challenge_object_name(uint64_t account) {
  return "lumberjack-challenge-" + std::to_string(account) + ".txt";
}

std::string make_challenge_token(Random& random) {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx",
                static_cast<unsigned long long>(random.next_u64()),
                static_cast<unsigned long long>(random.next_u64()));
  return text;
}

std::string challenge_text(uint64_t account, const std::string& url, const std::string& token) {
  const std::string id = std::to_string(account);
  return "Lumberjack: the ownership check of a push destination.\n"
         "account=" +
         id + "\nurl=" + url + "\ntoken=" + token +
         "\n"
         "Lumberjack pushes customer " +
         id +
         "'s attack logs here once this is confirmed: give the token\n"
         "to your Lumberjack operator, who runs\n"
         "  lj ctl confirm-push --account " +
         id +
         " --token <token>\n"
         "Nothing else is written here before then. This file may be deleted afterwards.\n";
}

std::optional<std::string> token_in_challenge(std::string_view text) {
  const size_t start = text.find("\ntoken=");
  if (start == std::string_view::npos) return std::nullopt;
  const std::string_view rest = text.substr(start + 7);
  const std::string_view token = rest.substr(0, rest.find('\n'));
  if (!is_lower_hex(token, 32)) return std::nullopt;
  return std::string(token);
}

Task<Result<std::string>> confirm_push(CoordinatorSession& session, const ZkLayout& layout,
                                       uint64_t account, std::string token) {
  const std::string id = std::to_string(account);
  if (Status s = co_await session.sync(layout.customer(id)); !s.ok()) co_return s.error();
  Result<NodeData> node = co_await session.get(layout.customer(id));
  if (!node.ok()) {
    if (node.code() == ErrorCode::kNotFound)
      co_return Error(ErrorCode::kNotFound, "no customer " + id);
    co_return node.error();
  }
  Result<CustomerConfig> config = CustomerConfig::decode(node->data);
  if (!config.ok()) co_return config.error();
  if (config->push.url.empty())
    co_return Error(ErrorCode::kNotFound, "customer " + id + " is not pushed anywhere");
  if (config->push_confirmed)
    co_return "customer " + id + ": pushes to " + config->push.url + " were confirmed already";
  Result<NodeData> written = co_await session.get(layout.push_challenge(id));
  Result<PushChallenge> challenge =
      written.ok() ? PushChallenge::decode(written->data) : Result<PushChallenge>(written.error());
  if (!challenge.ok() || challenge->url != config->push.url) {
    co_return Error(ErrorCode::kNotFound,
                    "no ownership check has been written to " + config->push.url +
                        " yet (the worker holding customer " + id +
                        " writes it, then retries while it fails): try again later");
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == ' ')) token.pop_back();
  if (!same_digest(sha256_hex(token), challenge->token_sha256)) {
    co_return Error(ErrorCode::kPermissionDenied,
                    "that is not the token written to " + config->push.url + " (in " +
                        challenge_object_name(account) + "): nothing confirmed");
  }
  config->push_confirmed = true;
  const std::string data = config->encode();  // (named: no temporary across a co_await)
  Result<int32_t> set = co_await session.set(layout.customer(id), data, node->version);
  if (!set.ok()) {
    if (set.code() == ErrorCode::kVersionMismatch) {
      co_return Error(ErrorCode::kVersionMismatch,
                      "customer " + id + "'s configuration changed meanwhile: run again");
    }
    co_return set.error();
  }
  co_return "customer " + id + ": pushes to " + config->push.url +
      " confirmed; its files go there from now on";
}

}  // namespace lj::lumberjack
