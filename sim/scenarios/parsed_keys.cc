#include "sim/scenarios/parsed_keys.h"

#include <map>
#include <mutex>

namespace lj::sim {

std::shared_ptr<const RsaPrivateKey> parsed_private_key(const std::string& pem) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const RsaPrivateKey>> parsed;
  std::lock_guard lock(mutex);
  auto [it, inserted] = parsed.try_emplace(pem);
  if (inserted) {
    Result<RsaPrivateKey> key = RsaPrivateKey::from_pem(pem);
    if (key.ok()) it->second = std::make_shared<const RsaPrivateKey>(std::move(key).value());
  }
  return it->second;
}

}  // namespace lj::sim
