#pragma once
// The simulated network: TCP-like byte streams between nodes, with latency drawn from the
// seed (mostly small, sometimes heavy-tailed), short writes, resets that deliver a prefix of
// what was written, refused and timed-out connects, and partitions between any sets of
// nodes. Bytes of one direction arrive in order or not at all.
//
// The network never helps the code: partitions stall traffic rather than drop it, as TCP
// retransmission does, for as long as they last (no reset ends the wait: only the caller's own
// deadline does); one healed delivers everything in order. A crashed node is silent: its peers
// get no FIN and no reset, segments sent to it are lost, and its next incarnation answers a
// segment of an old connection with RST. A paused node's kernel still takes bytes in, but
// nothing of it runs: its peers hear nothing back.

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "prod/io/network.h"
#include "sim/simulation.h"

namespace lj::sim {

struct NetworkFaults {
  int64_t min_latency_ns = 50'000;
  int64_t max_latency_ns = 400'000;
  double spike_probability = 0.005;  // a heavy-tailed (Pareto) delay on top
  int64_t spike_scale_ns = 1'000'000;
  int64_t max_spike_ns = 2'000'000'000;
  double short_write_probability = 0.2;
  double reset_probability = 0;  // per write: the connection resets after a prefix
  int64_t connect_timeout_ns = 2'000'000'000;
};

class SimNode;
struct SocketPair;
class SimListener;

class SimNetwork {
 public:
  explicit SimNetwork(Simulation& simulation) : simulation_(simulation) {}
  NetworkFaults& faults() { return faults_; }

  // Cuts are counted: overlapping faults each undo only their own, and a path is open again
  // only when every cut across it has been undone.
  // Cuts every path between a node of `a` and a node of `b`, both ways (one way: only the
  // paths from `a` to `b`, as a broken route or a firewall rule in one direction does).
  void partition(const std::set<NodeId>& a, const std::set<NodeId>& b, bool one_way = false);
  void unpartition(const std::set<NodeId>& a, const std::set<NodeId>& b, bool one_way = false);
  // Cuts `node` off from every other node.
  void isolate(NodeId node);
  void unisolate(NodeId node);
  void heal();  // every cut, at once
  bool blocked(NodeId from, NodeId to) const;

  int64_t draw_latency_ns();
  Simulation& simulation() { return simulation_; }

 private:
  friend class SimNodeNetwork;
  friend class SimListener;
  friend class SimConnection;
  void pump(const std::shared_ptr<SocketPair>& pair, int direction);
  void schedule_pump(const std::shared_ptr<SocketPair>& pair, int direction, int64_t at_ns);
  void reset(SocketPair& pair);

  Simulation& simulation_;
  NetworkFaults faults_;
  std::map<std::pair<NodeId, NodeId>, int> cut_;  // directed path -> cuts across it
  std::map<NodeId, int> isolated_;
  std::map<std::pair<NodeId, uint16_t>, SimListener*> listeners_;
  uint16_t next_ephemeral_port_ = 40000;
};

// A node's view of the network: the Network its processes use.
class SimNodeNetwork final : public Network {
 public:
  SimNodeNetwork(SimNetwork& network, SimNode& node) : network_(network), node_(node) {}
  Result<std::unique_ptr<Listener>> listen(const std::string& address) override;
  Task<Result<std::unique_ptr<Connection>>> connect(const std::string& address) override;

 private:
  SimNetwork& network_;
  SimNode& node_;
};

}  // namespace lj::sim
