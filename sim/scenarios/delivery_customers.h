#pragma once
// The delivery world's customers: account ids from kFirstAccount, and what index a of them
// is configured as - all four formats and both encodings, some without a key, some pushed - so
// every seed's world covers each kind. The checker knows them by the same functions.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "prod/audit/published_audit.h"
#include "prod/lumberjack/customer_config.h"
#include "sim/scenarios/delivery_tunables.h"

namespace lj::sim {

inline constexpr uint64_t kFirstAccount = 1001;

// Customer `index` (0-based) as an operator would create it, rolling by `tunables`.
lumberjack::CustomerConfig simulated_customer(int index, const Tunables& tunables);
// The first `accounts` customers' account ids.
std::vector<uint64_t> simulated_accounts(int accounts);
// The pushed customers' folders in central storage, by account.
std::map<uint64_t, std::string> pushed_folders(int accounts);
// Those of them whose events go to a syslog collector.
std::set<uint64_t> streamed_accounts(int accounts);
// The customers as the checker knows them: ids and private keys.
std::vector<audit::AuditedCustomer> audited_customers(int accounts);

}  // namespace lj::sim
