#pragma once
// Customer download credentials. Only a salted hash is ever stored (in the customer's node, and
// in nginx's htpasswd files): SHA-512 crypt ("$6$<salt>$<hash>"), which nginx's auth_basic
// verifies natively through crypt(3).

#include <string>
#include <string_view>

#include "prod/io/random.h"
#include "prod/io/result.h"

namespace lj::lumberjack {

// kInvalidArgument for an empty password, one over 1024 bytes, or one holding NUL, CR or LF.
Result<std::string> hash_password(std::string_view password, Random& random);
bool password_matches(std::string_view password, const std::string& hash);
// A user name fit for HTTP Basic auth and an htpasswd line: 1-64 of [A-Za-z0-9._@-].
Status validate_username(std::string_view username);

}  // namespace lj::lumberjack
