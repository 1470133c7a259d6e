#include "sim/sim_network.h"

#include <cstring>
#include <optional>

#include "prod/io/invariant.h"
#include "sim/sim_node.h"

namespace lj::sim {

// A coroutine waiting on the network, with the incarnation that makes resuming it safe.
struct Waiter {
  SimNode* node = nullptr;
  uint64_t incarnation = 0;
  std::coroutine_handle<> handle;

  bool waiting() const { return node != nullptr; }
  void park(SimNode& parked_node, std::coroutine_handle<> parked) {
    node = &parked_node;
    incarnation = parked_node.incarnation();
    handle = parked;
  }
  // Resumes the waiter through the queue, tagged with the incarnation it parked in: if that
  // process has crashed since, the event is dropped and the destroyed frame is never touched.
  void wake() {
    if (!waiting()) return;
    Simulation& simulation = node->simulation();
    simulation.schedule_for_incarnation(simulation.now_ns(), node->id(), incarnation,
                                        EventKind::kResume,
                                        [h = std::exchange(handle, {})] { h.resume(); });
    node = nullptr;
  }
};

struct Chunk {
  int64_t deliver_at_ns;
  std::string bytes;
  bool fin = false;    // orderly end of stream after these bytes
  bool reset = false;  // the connection resets at this point
};

// One direction of a connection.
struct Stream {
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  std::deque<Chunk> in_flight;
  int64_t last_deliver_at_ns = 0;
  int64_t pump_at_ns = -1;  // the earliest pump event already scheduled, or -1
  int64_t stalled_since_ns = -1;
  std::string received;  // delivered, not yet read
  size_t read_offset = 0;
  bool end_of_stream = false;
  Waiter reader;
};

struct SocketPair {
  Stream streams[2];  // streams[0]: side 0 -> side 1
  bool open[2] = {true, true};
  bool reset = false;
  std::string address[2];
  // What each side proved with its certificate (SimNode::identity): side 0, the connecting
  // node; side 1, the listening one (a server's certificate, checked by clients that care).
  std::optional<PeerIdentity> identity[2];
};

class SimConnection final : public Connection {
 public:
  SimConnection(SimNetwork& network, SimNode& node, std::shared_ptr<SocketPair> pair, int side)
      : network_(network),
        node_(node),
        incarnation_(node.incarnation()),
        pair_(std::move(pair)),
        side_(side) {}
  ~SimConnection() override { close(); }

  Task<Result<size_t>> read_some(std::span<std::byte> buffer) override {
    Stream& in = pair_->streams[1 - side_];
    for (;;) {
      if (!pair_->open[side_]) co_return Error(ErrorCode::kCancelled, "read on closed connection");
      if (pair_->reset) co_return Error(ErrorCode::kConnectionReset, "read from " + peer_address());
      if (in.read_offset < in.received.size()) {
        const size_t n = std::min(buffer.size(), in.received.size() - in.read_offset);
        std::memcpy(buffer.data(), in.received.data() + in.read_offset, n);
        in.read_offset += n;
        if (in.read_offset == in.received.size()) {
          in.received.clear();
          in.read_offset = 0;
        }
        co_return n;
      }
      if (in.end_of_stream) co_return size_t{0};
      LJ_ASSERT(!in.reader.waiting() && "one read at a time");
      co_await Park{in.reader, node_};
    }
  }

  Task<Result<size_t>> write_some(std::span<const std::byte> bytes) override {
    if (!pair_->open[side_]) co_return Error(ErrorCode::kCancelled, "write on closed connection");
    if (pair_->reset) co_return Error(ErrorCode::kConnectionReset, "write to " + peer_address());
    if (bytes.empty()) co_return size_t{0};
    if (node_.doomed()) co_return bytes.size();  // power went before this send: it never leaves
    Random& random = network_.simulation().random();
    const NetworkFaults& faults = network_.faults();
    size_t n = bytes.size();
    if (n > 1 && chance(random, faults.short_write_probability))
      n = 1 + uniform_below(random, n - 1);
    Stream& out = pair_->streams[side_];
    const int64_t at =
        std::max(out.last_deliver_at_ns, node_.local_now_ns() + network_.draw_latency_ns());
    out.last_deliver_at_ns = at;
    const char* data = reinterpret_cast<const char*>(bytes.data());
    if (chance(random, faults.reset_probability)) {
      // The path dies mid-write: a prefix arrives, then the connection resets.
      out.in_flight.push_back(
          Chunk{at, std::string(data, uniform_below(random, n + 1)), false, true});
    } else {
      out.in_flight.push_back(Chunk{at, std::string(data, n)});
    }
    network_.schedule_pump(pair_, side_, at);
    co_return n;
  }

  void close() override {
    if (!pair_->open[side_]) return;
    pair_->open[side_] = false;
    pair_->streams[1 - side_].reader.wake();  // a pending read ends with kCancelled
    if (pair_->reset) return;
    // A crashed machine says nothing: what it had sent is still on the wire, but no FIN and
    // no reset follow. Its peer learns of the death only by its own deadline, or by the reset
    // the machine's next incarnation answers to the peer's next segment (pump()).
    const bool process_alive =
        node_.alive() && node_.incarnation() == incarnation_ && !node_.doomed();
    if (!process_alive) return;
    Stream& out = pair_->streams[side_];
    const int64_t at =
        std::max(out.last_deliver_at_ns, node_.local_now_ns() + network_.draw_latency_ns());
    out.last_deliver_at_ns = at;
    out.in_flight.push_back(
        Chunk{at, {}, /*fin=*/true, /*reset=*/false});  // a live process closes with FIN
    network_.schedule_pump(pair_, side_, at);
  }

  std::string peer_address() const override { return pair_->address[1 - side_]; }
  std::optional<PeerIdentity> peer_identity() const override { return pair_->identity[1 - side_]; }

  struct Park {
    Waiter& slot;
    SimNode& node;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) { slot.park(node, self); }
    void await_resume() noexcept {}
  };

 private:
  SimNetwork& network_;
  SimNode& node_;
  uint64_t incarnation_;  // the process that owns this end
  std::shared_ptr<SocketPair> pair_;
  int side_;
};

class SimListener final : public Listener {
 public:
  SimListener(SimNetwork& network, SimNode& node, uint16_t port)
      : network_(network), node_(node), port_(port) {
    network_.listeners_[{node.id(), port}] = this;
  }
  ~SimListener() override { close(); }

  Task<Result<std::unique_ptr<Connection>>> accept() override {
    for (;;) {
      if (closed_) co_return Error(ErrorCode::kCancelled, "accept on closed listener");
      if (!backlog_.empty()) {
        std::unique_ptr<Connection> next = std::move(backlog_.front());
        backlog_.pop_front();
        co_return next;
      }
      co_await SimConnection::Park{acceptor_, node_};
    }
  }

  std::string address() const override { return node_.name() + ":" + std::to_string(port_); }

  void close() override {
    if (closed_) return;
    closed_ = true;
    network_.listeners_.erase({node_.id(), port_});
    backlog_.clear();  // their peers see resets
    acceptor_.wake();
  }

  void enqueue(std::unique_ptr<Connection> connection) {
    backlog_.push_back(std::move(connection));
    acceptor_.wake();
  }

 private:
  SimNetwork& network_;
  SimNode& node_;
  uint16_t port_;
  bool closed_ = false;
  std::deque<std::unique_ptr<Connection>> backlog_;
  Waiter acceptor_;
};

namespace {

// Adds `delta` to a count, forgetting it at zero (a count never goes below zero).
template <typename Key>
void count(std::map<Key, int>& counts, const Key& key, int delta) {
  int& n = counts[key];
  n = std::max(0, n + delta);
  if (n == 0) counts.erase(key);
}

}  // namespace

void SimNetwork::partition(const std::set<NodeId>& a, const std::set<NodeId>& b, bool one_way) {
  for (NodeId x : a) {
    for (NodeId y : b) {
      if (x == y) continue;
      count(cut_, std::pair{x, y}, +1);
      if (!one_way) count(cut_, std::pair{y, x}, +1);
    }
  }
}

void SimNetwork::unpartition(const std::set<NodeId>& a, const std::set<NodeId>& b, bool one_way) {
  for (NodeId x : a) {
    for (NodeId y : b) {
      if (x == y) continue;
      count(cut_, std::pair{x, y}, -1);
      if (!one_way) count(cut_, std::pair{y, x}, -1);
    }
  }
}

void SimNetwork::isolate(NodeId node) {
  count(isolated_, node, +1);
}
void SimNetwork::unisolate(NodeId node) {
  count(isolated_, node, -1);
}

void SimNetwork::heal() {
  cut_.clear();
  isolated_.clear();
}

bool SimNetwork::blocked(NodeId from, NodeId to) const {
  if (from == to) return false;
  return isolated_.contains(from) || isolated_.contains(to) || cut_.contains({from, to});
}

int64_t SimNetwork::draw_latency_ns() {
  Random& random = simulation_.random();
  int64_t latency = uniform_between(random, faults_.min_latency_ns, faults_.max_latency_ns);
  if (chance(random, faults_.spike_probability)) {
    latency += static_cast<int64_t>(
        std::min(pareto(random, static_cast<double>(faults_.spike_scale_ns), 1.1),
                 static_cast<double>(faults_.max_spike_ns)));
  }
  return latency;
}

void SimNetwork::schedule_pump(const std::shared_ptr<SocketPair>& pair, int direction,
                               int64_t at_ns) {
  Stream& stream = pair->streams[direction];
  if (stream.pump_at_ns >= 0 && stream.pump_at_ns <= at_ns) return;
  stream.pump_at_ns = at_ns;
  simulation_.schedule_at(at_ns, kNoNode, EventKind::kDelivery, [this, pair, direction] {
    pair->streams[direction].pump_at_ns = -1;
    pump(pair, direction);
  });
}

void SimNetwork::reset(SocketPair& pair) {
  if (pair.reset) return;
  pair.reset = true;
  for (Stream& stream : pair.streams) {
    stream.in_flight.clear();
    stream.received.clear();
    stream.read_offset = 0;
    stream.reader.wake();
  }
}

void SimNetwork::pump(const std::shared_ptr<SocketPair>& pair, int direction) {
  Stream& stream = pair->streams[direction];
  const int64_t now = simulation_.now_ns();
  while (!pair->reset && !stream.in_flight.empty() &&
         stream.in_flight.front().deliver_at_ns <= now) {
    if (blocked(stream.from, stream.to) || !simulation_.node(stream.to).alive()) {
      // Cut, or sent to a machine that is down: TCP retransmits without end (the sender's own
      // deadline gives up, never the network). A node that boots again answers with RST.
      schedule_pump(pair, direction, now + 200'000'000);  // retransmit timer
      return;
    }
    Chunk chunk = std::move(stream.in_flight.front());
    stream.in_flight.pop_front();
    if (!pair->open[1 - direction] && !chunk.bytes.empty()) {
      reset(*pair);  // data for a closed socket (or a rebooted machine): the receiver answers with
                     // RST
      return;
    }
    stream.received += chunk.bytes;
    if (chunk.fin) stream.end_of_stream = true;
    if (chunk.reset) {
      reset(*pair);
      return;
    }
    stream.reader.wake();
  }
  if (!pair->reset && !stream.in_flight.empty()) {
    schedule_pump(pair, direction, stream.in_flight.front().deliver_at_ns);
  }
}

Result<std::unique_ptr<Listener>> SimNodeNetwork::listen(const std::string& address) {
  Result<HostPort> parsed = parse_host_port(address);
  if (!parsed.ok()) return parsed.error();
  if (!parsed->host.empty() && parsed->host != node_.name() && parsed->host != "0.0.0.0") {
    return Error(ErrorCode::kInvalidArgument,
                 "listen on " + address + ": host is not this node (" + node_.name() + ")");
  }
  uint16_t port = parsed->port;
  if (port == 0) {
    while (network_.listeners_.contains({node_.id(), network_.next_ephemeral_port_})) {
      ++network_.next_ephemeral_port_;
    }
    port = network_.next_ephemeral_port_++;
  }
  if (network_.listeners_.contains({node_.id(), port})) {
    return Error(ErrorCode::kAlreadyExists, "listen on " + address + ": address in use");
  }
  return std::unique_ptr<Listener>(std::make_unique<SimListener>(network_, node_, port));
}

Task<Result<std::unique_ptr<Connection>>> SimNodeNetwork::connect(const std::string& address) {
  Result<HostPort> parsed = parse_host_port(address);
  if (!parsed.ok()) co_return parsed.error();
  Simulation& simulation = network_.simulation();
  SimNode* target = simulation.find_node(parsed->host);
  if (target == nullptr) {
    co_return Error(ErrorCode::kInvalidArgument, "connect to " + address + ": no such node");
  }

  // The outcome slot lives in this frame; only events tagged with this node touch it.
  struct Outcome {
    std::optional<Result<std::unique_ptr<Connection>>> result;
    Waiter waiter;
  } outcome;
  SimNode& self = node_;
  SimNetwork& network = network_;
  const uint16_t port = parsed->port;
  const std::string local_address =
      self.name() + ":" + std::to_string(10000 + uniform_below(simulation.random(), 50000));
  auto answer = [&simulation, &outcome, &self](int64_t delay_ns,
                                               Result<std::unique_ptr<Connection>> r) {
    auto shared = std::make_shared<Result<std::unique_ptr<Connection>>>(std::move(r));
    simulation.schedule_after(Duration(delay_ns), self.id(), EventKind::kConnect,
                              [&outcome, shared] {
                                outcome.result.emplace(std::move(*shared));
                                outcome.waiter.wake();
                              });
  };

  const int64_t syn_ns = network.draw_latency_ns();
  simulation.schedule_at(
      self.local_now_ns() + syn_ns, self.id(), EventKind::kConnect,
      [=, &network, &self, &simulation]() mutable {
        if (!target->alive() || network.blocked(self.id(), target->id())) {
          answer(network.faults().connect_timeout_ns,
                 Error(ErrorCode::kTimedOut, "connect to " + address + ": no answer"));
          return;
        }
        auto it = network.listeners_.find({target->id(), port});
        const int64_t back_ns = network.draw_latency_ns();
        if (it == network.listeners_.end()) {
          answer(back_ns, Error(ErrorCode::kConnectionRefused, "connect to " + address));
          return;
        }
        auto pair = std::make_shared<SocketPair>();
        pair->streams[0].from = self.id();
        pair->streams[0].to = target->id();
        pair->streams[1].from = target->id();
        pair->streams[1].to = self.id();
        pair->address[0] = local_address;
        pair->address[1] = address;
        pair->identity[0] = self.identity();
        pair->identity[1] = target->identity();
        const int64_t now = simulation.now_ns();
        pair->streams[0].last_deliver_at_ns = now + back_ns;
        pair->streams[1].last_deliver_at_ns = now;
        it->second->enqueue(std::make_unique<SimConnection>(network, *target, pair, 1));
        answer(back_ns, std::unique_ptr<Connection>(
                            std::make_unique<SimConnection>(network, self, pair, 0)));
      });
  while (!outcome.result.has_value()) co_await SimConnection::Park{outcome.waiter, self};
  co_return std::move(*outcome.result);
}

}  // namespace lj::sim
