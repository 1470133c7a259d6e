#pragma once
// The simulated worlds' private keys, parsed once per process. Every world uses the same few test
// keys (prod/logfile/test_keys.h), and OpenSSL 3's PEM decoders cost about a millisecond a key:
// parsed per world (the publish monitor's, each customer's downloader's, the push key), they
// were 3% of a run. The keys are only read once parsed, which OpenSSL allows from any thread.

#include <memory>
#include <string>

#include "prod/logfile/rsa_keys.h"

namespace lj::sim {

// The key `pem` holds, parsed on first use and kept for the process; null if it does not parse.
std::shared_ptr<const RsaPrivateKey> parsed_private_key(const std::string& pem);

}  // namespace lj::sim
