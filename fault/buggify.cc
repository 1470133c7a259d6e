#include "fault/buggify.h"

namespace lj::fault {

bool BuggifySwitchboard::enabled(std::string_view point) const {
  const uint64_t draw =
      mix_seed(mix_seed(simulation_.seed(), hash_string("buggify")), hash_string(point));
  // The top 53 bits as a fraction in [0, 1).
  return static_cast<double>(draw >> 11) * 0x1.0p-53 < kEnabledFraction;
}

bool BuggifySwitchboard::fire(std::string_view point) {
  auto known = reached_.find(point);
  if (known == reached_.end()) {
    known = reached_.emplace(std::string(point), enabled(point)).first;
    if (known->second) ++counts_["buggify " + std::string(point) + " on"];
  }
  if (!known->second || healed_) return false;
  if (point.starts_with("crash.")) {
    int& fired = crashes_[std::string(point)];
    if (fired >= kMaxCrashesPerPoint || !chance(simulation_.random(), kCrashFireProbability)) {
      return false;
    }
    ++fired;
  } else if (!chance(simulation_.random(), kFireProbability)) {
    return false;
  }
  ++counts_["buggify " + std::string(point) + " fired"];
  return true;
}

}  // namespace lj::fault
