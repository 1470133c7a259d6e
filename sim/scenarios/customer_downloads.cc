#include "sim/scenarios/customer_downloads.h"

#include <algorithm>
#include <set>

#include "prod/delivery/fetcher.h"
#include "prod/io/distributions.h"
#include "prod/io/invariant.h"
#include "prod/logfile/rsa_keys.h"
#include "sim/scenarios/parsed_keys.h"
#include "sim/sim_node.h"
#include "sim/sim_store_http.h"

namespace lj::sim {

namespace {

std::string folder_of(const audit::AuditedCustomer& customer) {
  return std::to_string(customer.account_id) + "_" + std::to_string(customer.config_id);
}

// One customer's sink: keeps one copy of each file (as DirectorySink writes one output file
// per log file), and judges the order files come in. A file may come again only right after a
// crash of the downloader's node, and only the last one it had (its state was not saved yet).
class CheckingSink final : public delivery::LogSink {
 public:
  CheckingSink(SimNode& node, uint64_t account, CustomerDownloads::Received& received,
               std::map<std::string, uint64_t>& coverage,
               const CustomerDownloads::ExpiredFile& expired)
      : node_(node),
        account_(account),
        received_(received),
        coverage_(coverage),
        expired_(expired) {}

  Task<Status> deliver(uint64_t seq, const DecodedLogFile& file) override {
    const std::string where =
        "downloader of " + std::to_string(account_) + ": file " + std::to_string(seq);
    if (seq > received_.highest + 1 && skipped_only_expired(seq)) {
      coverage_["state downloader skipped files retention removed"] += seq - received_.highest - 1;
      received_.highest = seq - 1;
    }
    if (seq == received_.highest + 1) {
      received_.highest = seq;
      received_.highest_by_incarnation = node_.incarnation();
    } else if (seq == received_.highest &&
               received_.highest_by_incarnation != node_.incarnation()) {
      ++coverage_["state downloader fetched a file again after a crash"];
      received_.highest_by_incarnation = node_.incarnation();
    } else if (received_.problem.empty()) {
      received_.problem =
          where + (seq > received_.highest + 1 ? " skipped past file " : " repeated after file ") +
          std::to_string(received_.highest);
    }
    std::vector<EventId>& events = received_.files[seq];
    events.clear();
    for (const AttackEvent& event : file.events) events.push_back(event.id);
    ++coverage_["state downloader delivered a file"];
    co_return Status();
  }

 private:
  // Whether every file between the last one received and `seq` expired before it was fetched.
  bool skipped_only_expired(uint64_t seq) const {
    for (uint64_t skipped = received_.highest + 1; skipped < seq; ++skipped) {
      if (!expired_(account_, skipped)) return false;
    }
    return true;
  }

  SimNode& node_;
  uint64_t account_;
  CustomerDownloads::Received& received_;
  std::map<std::string, uint64_t>& coverage_;
  const CustomerDownloads::ExpiredFile& expired_;
};

}  // namespace

CustomerDownloads::CustomerDownloads(Simulation& simulation, SimObjectStore& storage,
                                     std::vector<audit::AuditedCustomer> customers,
                                     std::map<std::string, uint64_t>& coverage)
    : simulation_(simulation),
      storage_(storage),
      customers_(std::move(customers)),
      coverage_(coverage) {
  for (const auto& customer : customers_) received_[customer.account_id];
  node_ =
      simulation
          .add_node("customer",
                    [this](SimNode& n) {
                      Env env = n.env();
                      ObjectStore& store = storage_.client(n);
                      auto& http = n.keep(std::make_unique<SimStoreHttp>(store));
                      for (const audit::AuditedCustomer& customer : customers_) {
                        // (Kept by the process's cache of parsed keys: parsed_keys.h.)
                        const RsaPrivateKey* key =
                            customer.private_key_pem.empty()
                                ? nullptr
                                : parsed_private_key(customer.private_key_pem).get();
                        LJ_ASSERT(customer.private_key_pem.empty() || key != nullptr);
                        auto& sink = n.keep(std::make_unique<CheckingSink>(
                            n, customer.account_id, received_.at(customer.account_id), coverage_,
                            expired_file_));
                        delivery::FetchOptions options;
                        options.folder = folder_of(customer);
                        options.credentials = {"customer-" + std::to_string(customer.account_id),
                                               "secret"};
                        options.state_path = "state/" + options.folder + ".state";
                        // As the customer configured its downloader for its folder.
                        options.acceptance.accept_imperva =
                            customer.encoding == BodyEncoding::kImpervaCompatible;
                        options.acceptance.accept_unencrypted = key == nullptr;
                        options.poll_interval = std::chrono::seconds(2);
                        options.backoff_initial = std::chrono::milliseconds(200);
                        options.backoff_max = std::chrono::seconds(5);
                        options.fault_points = env.fault_points;
                        // One by one, or several files at once when behind: both are judged.
                        options.parallel_downloads =
                            static_cast<size_t>(uniform_between(env.random, 1, 6));
                        options.log = [this, &n](const std::string& line) {
                          simulation_.trace(n.id(), line);
                        };
                        auto& fetcher = n.keep(std::make_unique<delivery::Fetcher>(
                            n, env.clock, env.files, http, sink, key, std::move(options)));
                        n.spawn([](delivery::Fetcher& f, Simulation& sim, NodeId id) -> Task<void> {
                          Status s = co_await f.run();
                          if (!s.ok()) sim.trace(id, "downloader stopped: " + s.to_string());
                        }(fetcher, simulation_, n.id()));
                      }
                    })
          .id();
}

CustomerDownloads::~CustomerDownloads() = default;

uint64_t CustomerDownloads::listed_files(const audit::AuditedCustomer& customer) const {
  const auto& objects = storage_.objects();
  auto index = objects.find(lumberjack::index_name(folder_of(customer)));
  if (index == objects.end()) return 0;
  Result<std::vector<uint64_t>> seqs =
      lumberjack::parse_logs_index(index->second, customer.account_id);
  return seqs.ok() && !seqs->empty() ? seqs->back() : 0;
}

uint64_t CustomerDownloads::expected_files(const audit::AuditedCustomer& customer,
                                           const Committed& committed) const {
  auto last_committed = committed.find(customer.account_id);
  return std::max(listed_files(customer),
                  last_committed == committed.end() ? 0 : last_committed->second);
}

uint64_t CustomerDownloads::reached(uint64_t account) const {
  uint64_t reached = received_.at(account).highest;
  while (expired_file_(account, reached + 1)) ++reached;  // expired before it was fetched: skipped
  return reached;
}

bool CustomerDownloads::caught_up(const Committed& committed) const {
  for (const audit::AuditedCustomer& customer : customers_) {
    if (reached(customer.account_id) < expected_files(customer, committed)) return false;
  }
  return true;
}

std::string CustomerDownloads::check(const std::map<EventId, uint64_t>& published,
                                     const Committed& committed,
                                     const std::function<bool(uint64_t account)>& removed) const {
  std::set<EventId> got;
  for (const audit::AuditedCustomer& customer : customers_) {
    if (removed(customer.account_id)) continue;
    const Received& received = received_.at(customer.account_id);
    if (!received.problem.empty()) return received.problem;
    const uint64_t expected = expected_files(customer, committed);
    if (reached(customer.account_id) < expected) {
      return "downloader of " + std::to_string(customer.account_id) + " has " +
             std::to_string(received.highest) + " of " + std::to_string(expected) +
             " published files (logs.index lists " + std::to_string(listed_files(customer)) + ")";
    }
    for (const auto& [seq, events] : received.files) {
      for (const EventId& id : events) {
        if (!got.insert(id).second) {
          return "customer " + std::to_string(customer.account_id) + " received event " +
                 id_text(id) + " twice";
        }
      }
    }
  }
  for (const auto& [id, copies] : published) {
    if (!got.contains(id) && !expired_event_(id))
      return "published event " + id_text(id) + " never reached its customer";
  }
  for (const EventId& id : got) {
    if (!published.contains(id))
      return "customer received event " + id_text(id) + ", which was never published";
  }
  return "";
}

}  // namespace lj::sim
