#pragma once
// Private keys parsed once per PEM text. OpenSSL 3's PEM decoder costs about as much as the
// RSA unwrap of a file key, and a reader of many files (`lj audit`) meets the same few
// customers' keys over and over: parsed per file, the keys were half of an audit's time.

#include <map>
#include <string>
#include <string_view>

#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/rsa_keys.h"

namespace lj {

class PrivateKeyCache {
 public:
  // The key `pem` holds, parsed on first use; a PEM that does not parse gives its error each
  // time. The pointer stays valid for the cache's life.
  Result<const RsaPrivateKey*> parse(const std::string& pem);

  // read_log_file with its key from this cache (`pem` empty: no key).
  Result<DecodedLogFile> read(std::string_view file, const std::string& pem,
                              const ReadLimits& limits = {});

 private:
  std::map<std::string, Result<RsaPrivateKey>, std::less<>> keys_;
};

}  // namespace lj
