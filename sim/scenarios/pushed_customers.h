#pragma once
// PushedCustomers: the push destinations of a delivery world's pushed customers (their own SFTP
// servers or buckets), and the checker that holds push delivery to exactly once.
//   The destinations: one more simulated store, a service beside the nodes with its own
//   latencies and faults (destination_faults()): outages (every call refused), pauses (a
//   SIGSTOPped server: calls wait unanswered until it resumes, so only the pusher's own
//   deadline ends them), flaky spells (calls fail, half of them after the write landed: the
//   acknowledgement is lost) and slow uploads. Each customer's files land in its own folder,
//   "customer-<account>/<file name>" (its url: "sim://customer-<account>").
//   The step monitor: every put that lands at a destination must carry exactly the bytes its
//   customer published under that file's name - never another file's, never an unpublished one.
//   A put of a name the destination already holds (a repeat after a crash or a lost answer)
//   rewrites the same bytes, so the destination holds each file once.
//   A file the pusher reports missed must be gone from central storage and covered by
//   retention's mark, as the pusher claims.
//   Every push cursor written to ZooKeeper is judged as it lands: each file it newly says the
//   destination has must be there (or reported missed). A cursor created (a new destination)
//   says where pushing starts: files before it are not the destination's.
//   The ownership check: a pushed customer starts unconfirmed, and its destination must get
//   nothing but the challenge object (push_challenge.h) until the configuration in ZooKeeper
//   says push_confirmed. The customer (start_confirming) reads the token from the object at its
//   destination, as a customer would, and an operator's session confirms it (confirm_push); a
//   token that does not match (a stale owner's late challenge landed over the current one) gets
//   the check written afresh, as `lj ctl set --push-url` does.
//   At the end: every file published for a pushed customer is at its destination, byte for byte,
//   or was reported missed.
//   Syslog customers (`streams`, url "syslog+sim://customer-<account>"): their collector is a
//   StreamDestination, whose sessions land in "customer-<account>/stream/". Every message that
//   lands is read back as a SIEM would (audit/syslog_received.h) and must be an event of a file
//   its customer published, at the place the file has it, after the destination was confirmed.
//   A place may arrive again (at least once: a session cut or unacknowledged is sent again),
//   each counted - and named: after a failed send above the cursor, or a stale owner's late
//   send below it. A push cursor may only pass a file whose every place arrived, and at the end
//   every place of every published file has (or its file was reported missed).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "prod/io/distributions.h"
#include "prod/io/push_destination.h"
#include "prod/logfile/rsa_keys.h"
#include "prod/lumberjack/file_pusher.h"
#include "sim/scenarios/publish_monitor.h"
#include "sim/sim_object_store.h"
#include "sim/sim_zookeeper.h"
#include "sim/simulation.h"

namespace lj::sim {

class SimNode;

class PushedCustomers final : public lumberjack::PushObserver {
 public:
  // `folders`: each pushed account's folder in central storage ("<account>_<config>").
  // REQUIRES: `simulation` and `central` outlive this.
  // `streams`: the pushed accounts whose destination is a syslog collector. `publication`: the
  // events a published object held (PublishMonitor::publication).
  using Publications = std::function<const PublishMonitor::Publication*(const std::string&)>;
  PushedCustomers(Simulation& simulation, SimObjectStore& central, SimZooKeeper& zookeeper,
                  std::map<uint64_t, std::string> folders, std::set<uint64_t> streams,
                  Publications publication, uint64_t seed);
  ~PushedCustomers();

  static std::string url_for(uint64_t account);
  static std::string stream_url_for(uint64_t account);
  // The cluster's push key, as every node's pipelines wrap syslog customers' file keys for it.
  std::shared_ptr<const RsaPublicKey> push_public_key() const { return push_public_key_; }
  // The destinations as `node`'s processes reach them (the same object for every incarnation).
  PushDestinations& destinations_for(SimNode& node);
  SimObjectStore& destination_store() { return destinations_; }

  // The customers confirm their destinations (see above) through `admin`'s sessions, until every
  // pushed customer is confirmed or removed.
  void start_confirming(SimNode& admin, Coordinator& coordinator, uint64_t seed,
                        std::map<std::string, uint64_t>& coverage);

  // Faults at the destinations from now until `until_ns`, one spell after another (never two at
  // once: each is undone on its own), drawn from the seed's own generator.
  void schedule_faults(uint64_t seed, int64_t until_ns, std::map<std::string, uint64_t>& coverage);
  void heal();

  void on_pushed(uint64_t account, uint64_t seq) override;
  void on_push_missed(uint64_t account, uint64_t seq) override;

  // Whether every file published for a pushed customer `judged` is at its destination, or missed.
  bool caught_up(const std::function<bool(uint64_t)>& judged) const;
  // What is wrong at the end (the first file missing or altered), or the step monitor's first
  // finding; empty if nothing.
  std::string check(const std::function<bool(uint64_t)>& judged) const;
  const std::string& problem() const { return problem_; }
  uint64_t puts_judged() const { return puts_judged_; }
  uint64_t cursors_judged() const { return cursors_judged_; }
  uint64_t repeats() const { return repeats_; }
  // Syslog messages whose place had arrived before: sent again after a failed send (the file
  // above the cursor), or by a stale owner (below it).
  uint64_t messages_repeated() const { return messages_repeated_; }
  uint64_t messages_repeated_by_stale_owners() const { return stale_repeats_; }
  uint64_t messages_judged() const { return messages_judged_; }
  uint64_t missed() const { return missed_.size(); }

 private:
  class NodeDestinations;
  struct Published {
    uint64_t account = 0;
    uint64_t seq = 0;
    uint64_t contents_hash = 0;
  };
  void on_central_change(const SimObjectStore::Change& change);
  void judge_put(const SimObjectStore::Change& change);
  // A collector's session (or its part) landed: each message judged as the class comment says.
  void judge_stream(uint64_t account, const SimObjectStore::Change& change);
  // The events file `seq` of `account` was published with, or null.
  const PublishMonitor::Publication* publication_of(uint64_t account, uint64_t seq) const;
  void judge_cursor(const SimZooKeeper::Write& write);
  void judge_config(const SimZooKeeper::Write& write);
  // The token the customer reads in its destination's challenge object, if there is one.
  std::optional<std::string> token_at_destination(uint64_t account) const;
  Task<void> confirm_destinations(Coordinator& coordinator, Env env, uint64_t seed,
                                  std::map<std::string, uint64_t>& coverage);
  // Whether the destination holds customer `account`'s file `seq` as published.
  bool holds(uint64_t account, uint64_t seq) const;
  // The first file of `judged` customers not at its destination as published; empty if none.
  std::string first_missing(const std::function<bool(uint64_t)>& judged) const;
  void report(const std::string& what);

  Simulation& simulation_;
  SimObjectStore& central_;
  std::map<uint64_t, std::string> folders_;
  SimObjectStore destinations_;
  std::map<NodeId, std::unique_ptr<NodeDestinations>> per_node_;
  std::map<std::string, Published> published_;  // by file name ("<account>_<seq>.log")
  std::set<std::pair<uint64_t, uint64_t>> missed_;
  std::map<uint64_t, uint64_t> cursor_through_;  // as last written, per account
  std::map<uint64_t, uint64_t> pushed_from_;     // files after this one are the destination's
  std::set<uint64_t> confirmed_;  // the configuration in ZooKeeper has said so, per account
  std::set<uint64_t> streams_;
  Publications publication_;
  std::shared_ptr<const RsaPrivateKey> push_key_;
  std::shared_ptr<const RsaPublicKey> push_public_key_;
  SplitMix64 cuts_;        // where collectors' sessions are cut
  uint64_t sessions_ = 0;  // collectors' sessions so far, every node's
  // The places of each (account, seq) that reached its collector.
  std::map<std::pair<uint64_t, uint64_t>, std::set<uint64_t>> arrived_;
  std::string problem_;
  uint64_t puts_judged_ = 0;
  uint64_t cursors_judged_ = 0;
  uint64_t repeats_ = 0;
  uint64_t messages_judged_ = 0;
  uint64_t messages_repeated_ = 0;
  uint64_t stale_repeats_ = 0;
};

}  // namespace lj::sim
