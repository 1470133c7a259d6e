#include "sim/scenarios/delivery_customers.h"

#include "prod/logfile/test_keys.h"
#include "sim/scenarios/pushed_customers.h"

namespace lj::sim {

lumberjack::CustomerConfig simulated_customer(int index, const Tunables& tunables) {
  lumberjack::CustomerConfig config;
  config.account_id = kFirstAccount + static_cast<uint64_t>(index);
  config.config_id = 1;
  // All four formats, each with both encodings as the index grows; LEEF with two delimiters.
  constexpr LogFormat kFormats[] = {LogFormat::kCef, LogFormat::kW3c, LogFormat::kLeef,
                                    LogFormat::kJson};
  config.format = kFormats[(index + index / 4) % 4];
  config.leef_delimiter = index % 8 < 4 ? '\t' : '^';
  config.encoding = index % 4 < 2 ? BodyEncoding::kModern : BodyEncoding::kImpervaCompatible;
  // Every fourth customer has no key: its files are not encrypted.
  if (index % 4 != 3)
    config.public_key_pem =
        std::string(test_key_pairs()[static_cast<size_t>(index) % 3].public_pem);
  config.roll.max_events = tunables.roll_max_events;
  config.roll.max_age_ms = tunables.roll_max_age_ms;
  // Every third customer also has its files pushed to a destination of its own; of the others,
  // every third one in the modern encoding, with a key and a format whose lines name their
  // fields, has its events pushed to its syslog collector.
  if (index % 3 == 1) config.push.url = PushedCustomers::url_for(config.account_id);
  if (index % 3 == 0 && config.encoding == BodyEncoding::kModern &&
      !config.public_key_pem.empty() && config.format != LogFormat::kW3c) {
    config.push.url = PushedCustomers::stream_url_for(config.account_id);
  }
  return config;
}

std::vector<uint64_t> simulated_accounts(int accounts) {
  std::vector<uint64_t> out;
  for (int a = 0; a < accounts; ++a) out.push_back(kFirstAccount + static_cast<uint64_t>(a));
  return out;
}

std::map<uint64_t, std::string> pushed_folders(int accounts) {
  std::map<uint64_t, std::string> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = simulated_customer(a, Tunables{});
    if (!config.push.url.empty()) out.emplace(config.account_id, config.folder());
  }
  return out;
}

std::set<uint64_t> streamed_accounts(int accounts) {
  std::set<uint64_t> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = simulated_customer(a, Tunables{});
    if (pushes_events(config.push)) out.insert(config.account_id);
  }
  return out;
}

std::vector<audit::AuditedCustomer> audited_customers(int accounts) {
  std::vector<audit::AuditedCustomer> out;
  for (int a = 0; a < accounts; ++a) {
    const lumberjack::CustomerConfig config = simulated_customer(a, Tunables{});
    audit::AuditedCustomer audited{config.account_id, config.config_id, "", config.encoding};
    if (!config.public_key_pem.empty()) {
      audited.private_key_pem =
          std::string(test_key_pairs()[static_cast<size_t>(a) % 3].private_pkcs8_pem);
    }
    out.push_back(audited);
  }
  return out;
}

}  // namespace lj::sim
