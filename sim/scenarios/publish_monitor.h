#pragma once
// PublishMonitor: the checker's watch on publication. The instant a customer's file appears
// under its published name (the rename of a staged file, or any write of that name), every
// event in it - read as the customer reads it, decrypted with the customer's private key by
// the real reader - must already have been durable on some PoP. A Graceland serves (and
// acknowledges) only records an fsync made durable: an event published before then was read
// out of a page cache, and a power loss can still take it from the PoP - after which the
// proxy, never acknowledged, may give it up, and the Graceland reuses its place in the
// segment for other records a reader's position has passed.
//
// "Durable on some PoP" is AckMonitor's record of every record that has ever been durable, so
// both monitors judge against one reading of the simulated disks' synced state.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "prod/audit/published_audit.h"
#include "prod/event/attack_event.h"
#include "prod/logfile/rsa_keys.h"
#include "sim/sim_object_store.h"
#include "sim/simulation.h"

namespace lj::sim {

class PublishMonitor {
 public:
  // Whether the event has been durable on some PoP at any instant up to now.
  using EverDurable = std::function<bool(const EventId&)>;
  // Whether an event never durable may be published all the same (asked only for those):
  // AckMonitor::in_dropped_pages, what a Graceland restarted after a failed fsync cannot know.
  using Excused = std::function<bool(const EventId&)>;
  PublishMonitor(Simulation& simulation, SimObjectStore& store,
                 std::vector<audit::AuditedCustomer> customers, EverDurable ever_durable,
                 Excused excused);
  // Events published though never durable, excused.
  uint64_t excused() const { return excused_count_; }
  // Whether the event was ever published (listed in logs.index now or not).
  bool published(const EventId& id) const { return published_.contains(id); }

  // The first event published before any PoP held it durably, or a published file the
  // customer could not read; "" if none.
  const std::string& problem() const { return problem_; }
  uint64_t files_judged() const { return files_judged_; }

  // When a published name first appeared (true time) and the events it held; nullptr if it
  // never did (or is not a file of this world's customers).
  struct Publication {
    int64_t at_ns = 0;
    std::vector<EventId> events;
  };
  const Publication* publication(const std::string& object) const {
    auto it = publications_.find(object);
    return it == publications_.end() ? nullptr : &it->second;
  }

  // The end-of-run audit's decoder (PublishedAudit::Decode): a published file this monitor
  // decoded already is handed over (each once), anything else is read by the real reader.
  Result<DecodedLogFile> take_decoded(const std::string& object, std::string_view contents,
                                      const std::string& private_key_pem);

 private:
  void judge(const SimObjectStore::Change& change);
  void report(NodeId node, const std::string& what);
  // Reads a published file with the private key `pem` parsed once per process (parsed_keys.h;
  // the checker reads every file: parsing the PEM each time cost 6% of a world), or by the
  // PEM's own reader if it does not parse (its error then says why).
  Result<DecodedLogFile> read(std::string_view contents, const std::string& pem);

  Simulation& simulation_;
  std::vector<audit::AuditedCustomer> customers_;
  EverDurable ever_durable_;
  Excused excused_;
  uint64_t excused_count_ = 0;
  std::set<EventId> published_;
  // What each published name held, decoded, until the audit takes it. (A published name is
  // written once: StoreMonitor fails the run otherwise.)
  struct Decoded {
    std::string contents;  // the bytes decoded: the audit's copy must be these
    DecodedLogFile file;
  };
  std::map<std::string, Decoded> decoded_;
  std::map<std::string, Publication> publications_;
  uint64_t files_judged_ = 0;
  std::string problem_;
};

}  // namespace lj::sim
