#pragma once
// SimZooKeeper: a model of the ZooKeeper service in virtual time, held by
// sim/conformance/coordinator_conformance_test.cc to the promises the real server keeps, and
// stricter where the real one is merely usually kind:
//  - The service decides expiry. A session is heard from by its client's pings (every third of
//    its timeout) and by its requests; one not heard from for its timeout expires: its ephemeral
//    nodes are deleted and their watches fire *before* the expired client can hear of it (it
//    hears only when it next reaches the service).
//  - Connection loss is distinct from expiry: while the client cannot reach the service (a
//    partition from the "zookeeper" node, or the service made unavailable) its calls fail with
//    kUnavailable. With `faults().reply_loss_probability` a request is applied and its reply
//    dropped: the caller sees kUnavailable for something that happened. A lost request or
//    reply breaks the connection, as in the real client: every request outstanding on it, and
//    every one sent before the client notices, fails with kUnavailable too (applied or not).
//  - Cuts may be one-way: a request arrives only if the client reaches the service, a reply
//    or a watch event only if the service reaches the client; a watch event for a client cut
//    off waits until it is reachable again (or its session expires).
//  - One session's requests and replies stay in order (FIFO), and a watch event reaches the
//    client before the reply of any later read, as ZooKeeper promises.
//  - Reads may be stale: with `faults().stale_read_probability` a read that was not preceded by
//    a sync() is answered from the tree as it was before the most recent writes - but a
//    session's view never goes back in time (ZooKeeper's single system image): after it has
//    written, synced or read the current tree, it reads no snapshot older than that.
//  - multi() applies all ops or none; watches fire only for a multi that applied.
//  - Watches are one-shot and belong to their session.
//
// The service runs on a node named "zookeeper" so that network partitions cut it off like any
// other node. Everything is deterministic: ordered containers, randomness from the Simulation.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "prod/io/coordinator.h"
#include "sim/simulation.h"

namespace lj::sim {

class SimNode;
struct SimZkLink;

struct ZooKeeperFaults {
  double request_loss_probability = 0;  // dropped before applying: kUnavailable, not applied
  double reply_loss_probability = 0;    // applied, reply dropped: kUnavailable, applied
  double stale_read_probability = 0;    // a read without sync sees the tree of a moment ago
  // A write is applied once a quorum has fsynced its transaction log (forceSync=yes): a
  // heavy-tailed commit time, pareto(scale, 1.5), mean three times the scale. Healthy SSDs:
  // about a millisecond; a loaded disk logs "fsync-ing the write ahead log took 1500ms".
  int64_t commit_latency_scale_ns = 500'000;
};

// What the service can take: its leader logs transactions one after another, so past this many
// writes per second they queue (the scale world's ZooKeeper; 0: no limit).
struct ZooKeeperCapacity {
  double writes_per_s = 0;
};

class SimZooKeeper {
 public:
  explicit SimZooKeeper(Simulation& simulation);
  ~SimZooKeeper();
  SimZooKeeper(const SimZooKeeper&) = delete;
  SimZooKeeper& operator=(const SimZooKeeper&) = delete;

  // A Coordinator for processes on `node`. Stable for the life of the service.
  Coordinator& client(SimNode& node);

  ZooKeeperFaults& faults() { return faults_; }
  ZooKeeperCapacity& capacity() { return capacity_; }
  // Transactions committed or in flight so far (writes, multis, session closes).
  uint64_t writes() const { return writes_; }
  // Reads answered so far (get, children, exists).
  uint64_t reads() const { return reads_; }
  // How long the next write waits for its quorum's log fsync (ZooKeeperFaults), behind the
  // writes before it when they exceed the capacity.
  int64_t draw_commit_latency_ns();
  // An unavailable service answers nothing (no quorum); sessions are not expired meanwhile
  // (ZooKeeper's leader, when it returns, gives every session a fresh timeout).
  void set_available(bool available);
  bool available() const { return available_; }
  // Expires a session as the service would after its timeout (a fault, or a test).
  void expire_session(int64_t session_id);
  NodeId node_id() const { return node_id_; }

  // For checkers: the tree as the service holds it now (no latency, no staleness).
  std::optional<NodeData> peek(const std::string& path) const;
  std::vector<std::string> peek_children(const std::string& path) const;
  std::vector<int64_t> live_sessions() const;
  uint64_t sessions_expired() const { return sessions_expired_; }
  // Reads by a session that wrote or synced after this instant are never stale.
  int64_t stale_tree_taken_ns() const { return stale_tree_taken_ns_; }

  // For monitors: every write a client's request applied, as it applies, with the session that
  // made it. A multi's writes are reported once all of its ops applied, in op order (the tree
  // the watcher peeks is the one after the multi); a multi that failed reports nothing.
  // Ephemeral nodes deleted by a session's expiry are not reported.
  struct Write {
    enum class Kind { kCreate, kSet, kRemove };
    Kind kind;
    int64_t session = 0;
    std::string path;     // as created: with a sequential suffix
    std::string data;     // what a create or set wrote
    int32_t version = 0;  // the node's version after a create (0) or set
  };
  void add_write_watcher(std::function<void(const Write&)> watcher) {
    write_watchers_.push_back(std::move(watcher));
  }

  // --- The service's side, called by simulated sessions (sim_zookeeper.cc) ---
  struct ZNode {
    std::string data;
    int32_t version = 0;
    int64_t ephemeral_owner = 0;
    int32_t child_sequence = 0;  // the next sequential suffix: +1 per child created or deleted
    std::set<std::string> children;
  };
  struct Session {
    int64_t id = 0;
    int64_t timeout_ns = 0;
    int64_t last_heard_ns = 0;
    bool expired = false;
    std::shared_ptr<SimZkLink> link;  // where its events go
  };
  using Tree = std::map<std::string, ZNode>;
  // A watch that fired, for the session that set it; delivered once its write applied.
  using Fired = std::vector<std::pair<int64_t, CoordinatorEvent>>;

  Simulation& simulation() { return simulation_; }
  bool reachable_from(NodeId client) const;  // both ways
  bool hears(NodeId client) const;           // the client's requests arrive
  bool reaches(NodeId client) const;         // replies and events reach the client
  Session* session(int64_t id);
  int64_t open_session(int64_t timeout_ns, std::shared_ptr<SimZkLink> link);
  void heard_from(int64_t session_id);
  void close_session(int64_t session_id);

  Result<std::string> apply_create(int64_t session, const CreateOp& op, Fired* fired);
  Result<int32_t> apply_set(int64_t session, const SetOp& op, Fired* fired);
  Status apply_remove(int64_t session, const RemoveOp& op, Fired* fired);
  Status apply_check(const CheckOp& op) const;
  Result<MultiResult> apply_multi(int64_t session, const std::vector<CoordinatorOp>& ops);
  Result<NodeData> read_get(int64_t session, const std::string& path, bool watch, bool stale);
  Result<std::vector<std::string>> read_children(int64_t session, const std::string& path,
                                                 bool watch, bool stale);
  Result<std::optional<int32_t>> read_exists(int64_t session, const std::string& path, bool watch,
                                             bool stale);

 private:
  void schedule_expiry_check(int64_t session_id);
  void expire(Session& session);
  void fire(std::map<std::string, std::set<int64_t>>& watches, const std::string& path,
            CoordinatorEvent::Kind kind, Fired* fired);
  void deliver(Fired& fired);
  void deliver_when_reachable(const std::shared_ptr<SimZkLink>& link, const CoordinatorEvent& event,
                              int64_t session_id);
  void remove_node(const std::string& path, Fired* fired);
  const Tree& tree_for_read(bool stale) const;
  // A watch set by a stale read is set on a follower that has not applied the latest changes:
  // when it does, the watch fires for a change the reader never saw. Fires it (after the read's
  // reply) if the path differs between the follower's tree and the leader's.
  void catch_up_stale_watch(int64_t session, const std::string& path, bool child_watch);
  void note_write();
  // A write applied: to the watchers now, or (inside a multi) once the multi has applied.
  void applied(Write write, bool in_multi);

  Simulation& simulation_;
  NodeId node_id_;
  ZooKeeperCapacity capacity_;
  uint64_t writes_ = 0;
  uint64_t reads_ = 0;
  int64_t log_free_at_ns_ = 0;  // when the leader's log has written every transaction so far
  ZooKeeperFaults faults_;
  bool available_ = true;
  Tree tree_;
  Tree stale_tree_;  // the tree before the most recent burst of writes
  int64_t stale_tree_taken_ns_ = -1;
  std::map<int64_t, Session> sessions_;
  int64_t next_session_id_ = 0x1000;
  uint64_t sessions_expired_ = 0;
  // Watches: path -> sessions. Data watches fire on create/set/delete of the path; child
  // watches on a child's create/delete and on the node's own deletion.
  std::map<std::string, std::set<int64_t>> data_watches_;
  std::map<std::string, std::set<int64_t>> child_watches_;
  std::map<NodeId, std::unique_ptr<Coordinator>> clients_;
  std::vector<std::function<void(const Write&)>> write_watchers_;
  std::vector<Write> multi_writes_;  // the running multi's writes, reported if it applies
};

}  // namespace lj::sim
