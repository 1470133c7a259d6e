#include "prod/logfile/private_key_cache.h"

namespace lj {

Result<const RsaPrivateKey*> PrivateKeyCache::parse(const std::string& pem) {
  auto it = keys_.find(pem);
  if (it == keys_.end()) it = keys_.emplace(pem, RsaPrivateKey::from_pem(pem)).first;
  if (!it->second.ok()) return it->second.error();
  return &it->second.value();
}

Result<DecodedLogFile> PrivateKeyCache::read(std::string_view file, const std::string& pem,
                                             const ReadLimits& limits) {
  if (pem.empty()) return read_log_file(file, nullptr, limits);
  Result<const RsaPrivateKey*> key = parse(pem);
  if (!key.ok()) return key.error();
  return read_log_file(file, *key, limits);
}

}  // namespace lj
