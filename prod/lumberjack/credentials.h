#pragma once
// Customer download credentials. A customer's password is a system-generated API key of at
// least 128 bits (generate_api_key), as Imperva's are. Only a salted hash of it is ever stored
// (in the customer's node, and in each node's rendered nginx configuration), in one of two forms:
//
//   "{SSHA}" base64(SHA-1(key + salt) + salt)   what hash_password writes: a 16-byte salt.
//       One hash per request, microseconds, where SHA-512 crypt costs ~1.8 ms. Guessing a
//       128-bit random key is hopeless however fast the hash, so key stretching buys nothing;
//       what protects the stored value is SHA-1's preimage resistance (not broken: the known
//       attacks on SHA-1 find collisions, which do not help to find a key for a given hash).
//   "$6$<salt>$<hash>"  SHA-512 crypt (5,000 rounds), what earlier versions stored: still
//       accepted and served, so an upgrade locks nobody out; `lj ctl set --password-file`
//       replaces it with the fast form.
//
// nginx checks "{SSHA}" in each worker's memory (lj_auth in ci/nginx/node.conf.template) and
// "$6$" with auth_basic and an htpasswd file (prod/delivery/nginx_config.h). Both reach an
// nginx file, from ZooKeeper: validate_password_hash accepts exactly these forms, character
// for character, and nothing else.

#include <string>
#include <string_view>

#include "prod/io/random.h"
#include "prod/io/result.h"

namespace lj::lumberjack {

// An API key is at least this many base64 or base64url characters (6 bits each: 132 bits).
inline constexpr size_t kMinApiKeyChars = 22;
inline constexpr size_t kMaxApiKeyChars = 256;

// 24 random bytes as 32 base64url characters (192 bits), fit for a password file.
std::string generate_api_key(Random& random);
// kInvalidArgument unless `key` is kMinApiKeyChars-kMaxApiKeyChars characters of [A-Za-z0-9+/_-]
// (at most two '=' of padding at the end, not counted) with at least 8 distinct characters: a
// guard against a hand-typed password or placeholder, not a measure of randomness, which no
// check of one string can give. The message says how to make a key.
Status validate_api_key(std::string_view key);
// The "{SSHA}" form of `key` with a fresh salt. kInvalidArgument if validate_api_key refuses it.
Result<std::string> hash_password(std::string_view key, Random& random);
// Whether `password` is the key `hash` (either form above) was made from.
bool password_matches(std::string_view password, std::string_view hash);
// Accepts "{SSHA}" + canonical padded base64 of 20 digest bytes and a 8-64 byte salt, or
// "$6$<salt>$<hash>" with salt 1-16 and hash 1+ of [./A-Za-z0-9]. Nothing else reaches nginx.
Status validate_password_hash(std::string_view hash);
// Whether `hash` is in the "{SSHA}" form (valid or not: validate_password_hash says).
bool is_ssha_hash(std::string_view hash);
// A user name fit for HTTP Basic auth and an htpasswd line: 1-64 of [A-Za-z0-9._@-].
Status validate_username(std::string_view username);

}  // namespace lj::lumberjack
