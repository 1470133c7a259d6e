#include "prod/lumberjack/credentials.h"

#include <crypt.h>

#include <cstring>

namespace lj::lumberjack {

namespace {

constexpr std::string_view kSaltAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

Result<std::string> crypt_with(std::string_view password, const std::string& setting) {
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  const std::string key(password);
  const char* hashed = ::crypt_r(key.c_str(), setting.c_str(), &data);
  if (hashed == nullptr || hashed[0] == '*') return Error(ErrorCode::kInternal, "crypt(3) refused the setting");
  return std::string(hashed);
}

}  // namespace

Result<std::string> hash_password(std::string_view password, Random& random) {
  if (password.empty() || password.size() > 1024 || password.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos) {
    return Error(ErrorCode::kInvalidArgument, "a password is 1-1024 bytes without NUL, CR or LF");
  }
  std::string setting = "$6$";
  for (int i = 0; i < 16; ++i) setting += kSaltAlphabet[random.next_u64() % kSaltAlphabet.size()];
  return crypt_with(password, setting + "$");
}

bool password_matches(std::string_view password, const std::string& hash) {
  Result<std::string> again = crypt_with(password, hash);
  return again.ok() && *again == hash;
}

Status validate_username(std::string_view username) {
  if (username.empty() || username.size() > 64) return Error(ErrorCode::kInvalidArgument, "a user name is 1-64 characters");
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '@' || c == '-';
    if (!ok) return Error(ErrorCode::kInvalidArgument, "a user name holds only [A-Za-z0-9._@-]");
  }
  return Status();
}

}  // namespace lj::lumberjack
