#pragma once
// The customer side of a simulated world: one node ("customer") running the real downloader
// (prod/delivery/fetcher.h) for every customer, reading its logs.index and files from the
// central store over SimStoreHttp, decrypting them with the customer's private key, and
// keeping its place in a state file on its own simulated disk. The node can crash like any
// other; a restarted downloader resumes from its state file.
//
// What it checks, beyond the published-files audit: a downloader never skips a file (each
// delivery is the next sequence number, or one it delivered before a crash cut it short of
// saving its state), and by the end it holds every published file - so every published event
// reaches the customer's sink exactly once (the sink keeps one copy per file, as
// DirectorySink does). The one excuse: files retention removed before the downloader fetched
// them (excuse_expired), skipped with their events.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prod/audit/published_audit.h"
#include "prod/event/attack_event.h"
#include "sim/sim_object_store.h"
#include "sim/simulation.h"

namespace lj::sim {

class CustomerDownloads {
 public:
  // Adds the (not yet started) "customer" node. REQUIRES: `storage` outlives this object.
  CustomerDownloads(Simulation& simulation, SimObjectStore& storage,
                    std::vector<audit::AuditedCustomer> customers,
                    std::map<std::string, uint64_t>& coverage);
  ~CustomerDownloads();
  NodeId node() const { return node_; }
  // Files retention removed (PublishedRetentionMonitor): a downloader may skip exactly those,
  // and need not hold their events, if it had not fetched them before they went.
  using ExpiredFile = std::function<bool(uint64_t account, uint64_t seq)>;
  using ExpiredEvent = std::function<bool(const EventId&)>;
  void excuse_expired(ExpiredFile file, ExpiredEvent event) {
    expired_file_ = std::move(file);
    expired_event_ = std::move(event);
  }

  // Per account, the last file committed: every one of them must reach its customer, even if
  // logs.index lists fewer right now (a stale publisher shrank it; the owner lists them again).
  using Committed = std::map<uint64_t, uint64_t>;
  // True when every customer's downloader holds every file its logs.index lists now, and every
  // file committed.
  bool caught_up(const Committed& committed) const;
  // The first problem: a skipped file, a file missing at the end, an event the customer got
  // twice, or one published that the customer never got. Empty if none.
  // `removed`: customers an operator removed, not judged: nobody repairs their logs.index once
  // a stale publisher wrote it back shorter, so what they downloaded before may be listed no more.
  std::string check(const std::map<EventId, uint64_t>& published, const Committed& committed,
                    const std::function<bool(uint64_t account)>& removed) const;

  // What one customer's sink received: file sequence number -> its events (one copy per file).
  struct Received {
    std::map<uint64_t, std::vector<EventId>> files;
    uint64_t highest = 0;
    uint64_t highest_by_incarnation = 0;  // which incarnation of the node delivered it
    std::string problem;
  };

 private:
  uint64_t listed_files(const audit::AuditedCustomer& customer) const;
  // The last file a customer's downloader received, or after it every file that expired unfetched.
  uint64_t reached(uint64_t account) const;
  // The file a customer's downloader must have reached: the index's last, or the last committed.
  uint64_t expected_files(const audit::AuditedCustomer& customer, const Committed& committed) const;

  Simulation& simulation_;
  SimObjectStore& storage_;
  std::vector<audit::AuditedCustomer> customers_;
  std::map<std::string, uint64_t>& coverage_;
  std::map<uint64_t, Received> received_;  // per account; survives the node's crashes
  ExpiredFile expired_file_ = [](uint64_t, uint64_t) { return false; };
  ExpiredEvent expired_event_ = [](const EventId&) { return false; };
  NodeId node_ = kNoNode;
};

}  // namespace lj::sim
