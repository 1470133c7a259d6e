#include "sim/sim_zookeeper.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "prod/io/coordinator_events.h"
#include "prod/io/distributions.h"
#include "sim/sim_network.h"
#include "sim/sim_node.h"

namespace lj::sim {

namespace {

constexpr int64_t kMinSessionTimeoutNs = 400'000'000;     // 2 ticks of 200 ms, as configured
constexpr int64_t kMaxSessionTimeoutNs = 40'000'000'000;  // 20 ticks of 2 s

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}
std::string leaf_of(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

Status validate_path(const std::string& path) {
  if (path.empty() || path[0] != '/' || (path.size() > 1 && path.back() == '/') ||
      path.find("//") != std::string::npos || path.find('\0') != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, "bad path '" + path + "'");
  }
  return Status();
}

}  // namespace

// The wire between one client session and the service: requests go in order, replies and
// watch events come back in order, and nothing reaches a client object that is gone.
class SimZkSession;

struct SimZkLink {
  SimNode* node = nullptr;
  uint64_t incarnation = 0;
  int64_t session_id = 0;
  SimZkSession* client = nullptr;  // null once the client object is destroyed
  int64_t last_arrival_ns = 0;
  int64_t last_delivery_ns = 0;
  int64_t fresh_reads_from_ns = 0;  // this session wrote or synced then: reads are fresh
  // A lost reply breaks the connection, as in the real client: every request outstanding on it
  // fails with connection loss (applied or not), and requests sent until the client notices
  // (broken_until_ns) fail too. `connection` counts the breaks.
  uint64_t connection = 0;
  int64_t broken_until_ns = 0;
  void break_connection(int64_t noticed_at_ns) {
    ++connection;
    broken_until_ns = std::max(broken_until_ns, noticed_at_ns);
  }

  // When a request takes effect at the service: after the network, and for a write after its
  // quorum commit (`commit_ns`). A session's requests take effect in the order sent (FIFO): a
  // read waits behind the session's slow write, as in ZooKeeper's commit processor.
  int64_t next_arrival(Simulation& simulation, int64_t commit_ns) {
    // (Sent at the client's own time: after the disk operations it made in this event.)
    last_arrival_ns =
        std::max(node->local_now_ns() + simulation.network().draw_latency_ns() + commit_ns,
                 last_arrival_ns + 1);
    return last_arrival_ns;
  }
  int64_t next_delivery(Simulation& simulation) {
    last_delivery_ns = std::max(simulation.now_ns() + simulation.network().draw_latency_ns(),
                                last_delivery_ns + 1);
    return last_delivery_ns;
  }
};

// One client session on a node: the CoordinatorSession that production logic holds.
class SimZkSession final : public CoordinatorSession {
 public:
  SimZkSession(SimZooKeeper& service, SimNode& node, std::shared_ptr<SimZkLink> link,
               int64_t timeout_ns)
      : service_(service),
        node_(node),
        link_(std::move(link)),
        timeout_ns_(timeout_ns),
        events_(node, node.clock()) {
    link_->client = this;
    schedule_ping();
  }
  ~SimZkSession() override { link_->client = nullptr; }

  // Each call names its `apply` before awaiting round_trip: GCC 12 destroys a lambda
  // temporary inside a co_await expression twice. `apply` runs at the service, perhaps after
  // this object is gone (a crash): it captures the service and the session id, never `this`.
  int64_t session_id() const override { return link_->session_id; }
  SessionState state() const override { return state_; }

  void deliver_event(const CoordinatorEvent& event) {
    if (state_ == SessionState::kExpired) return;
    events_.push(event);
  }
  void set_state(SessionState state) {
    if (state_ == state || state_ == SessionState::kExpired) return;
    state_ = state;
    events_.push(CoordinatorEvent{CoordinatorEvent::Kind::kSession, "", state});
  }

  Task<Result<std::string>> create(const std::string& path, const std::string& data,
                                   NodeMode mode) override {
    CreateOp op{path, data, mode};
    std::function<Result<std::string>(bool)> apply = [service = &service_, id = link_->session_id,
                                                      op](bool) {
      return service->apply_create(id, op, nullptr);
    };
    co_return co_await round_trip<std::string>(/*write=*/true, std::move(apply));
  }
  Task<Result<NodeData>> get(const std::string& path, bool watch) override {
    std::function<Result<NodeData>(bool)> apply = [service = &service_, id = link_->session_id,
                                                   path, watch](bool stale) {
      return service->read_get(id, path, watch, stale);
    };
    co_return co_await round_trip<NodeData>(false, std::move(apply));
  }
  Task<Result<int32_t>> set(const std::string& path, const std::string& data,
                            int32_t version) override {
    SetOp op{path, data, version};
    std::function<Result<int32_t>(bool)> apply = [service = &service_, id = link_->session_id,
                                                  op](bool) {
      return service->apply_set(id, op, nullptr);
    };
    co_return co_await round_trip<int32_t>(true, std::move(apply));
  }
  Task<Status> remove(const std::string& path, int32_t version) override {
    RemoveOp op{path, version};
    std::function<Result<bool>(bool)> apply = [service = &service_, id = link_->session_id,
                                               op](bool) -> Result<bool> {
      if (Status s = service->apply_remove(id, op, nullptr); !s.ok()) return s.error();
      return true;
    };
    Result<bool> done = co_await round_trip<bool>(true, std::move(apply));
    co_return done.status();
  }
  Task<Result<std::vector<std::string>>> children(const std::string& path, bool watch) override {
    std::function<Result<std::vector<std::string>>(bool)> apply =
        [service = &service_, id = link_->session_id, path, watch](bool stale) {
          return service->read_children(id, path, watch, stale);
        };
    co_return co_await round_trip<std::vector<std::string>>(false, std::move(apply));
  }
  Task<Result<std::optional<int32_t>>> exists(const std::string& path, bool watch) override {
    std::function<Result<std::optional<int32_t>>(bool)> apply =
        [service = &service_, id = link_->session_id, path, watch](bool stale) {
          return service->read_exists(id, path, watch, stale);
        };
    co_return co_await round_trip<std::optional<int32_t>>(false, std::move(apply));
  }
  Task<Result<MultiResult>> multi(const std::vector<CoordinatorOp>& ops) override {
    std::function<Result<MultiResult>(bool)> apply = [service = &service_, id = link_->session_id,
                                                      ops](bool) {
      return service->apply_multi(id, ops);
    };
    co_return co_await round_trip<MultiResult>(true, std::move(apply));
  }
  Task<Status> sync(const std::string& path) override {
    std::function<Result<bool>(bool)> apply = [path](bool) -> Result<bool> {
      if (Status s = validate_path(path); !s.ok()) return s.error();
      return true;
    };
    Result<bool> done = co_await round_trip<bool>(true, std::move(apply));
    co_return done.status();
  }
  std::vector<CoordinatorEvent> take_events() override { return events_.take(); }
  Task<void> wait_for_events(Duration timeout) override { co_await events_.wait_for(timeout); }

  Task<void> close() override {
    if (closed_) co_return;
    closed_ = true;
    if (state_ != SessionState::kExpired && service_.reachable_from(node_.id())) {
      // The close request travels like any other; the service drops the session on arrival.
      Simulation& simulation = service_.simulation();
      const int64_t id = link_->session_id;
      SimZooKeeper* service = &service_;
      // closeSession is a transaction: it commits like a write.
      const int64_t arrival = link_->next_arrival(simulation, service->draw_commit_latency_ns());
      simulation.schedule_at(arrival, kNoNode, EventKind::kControl,
                             [service, id] { service->close_session(id); });
    }
    state_ = SessionState::kExpired;
  }

 private:
  template <typename T>
  struct Pending {
    std::coroutine_handle<> waiter;
    std::optional<Result<T>> result;
    bool abandoned = false;
  };

  // One request and its reply, FIFO with this session's others. `apply(stale)` runs at the
  // service when the request arrives.
  template <typename T>
  Task<Result<T>> round_trip(bool write, std::function<Result<T>(bool stale)> apply) {
    if (closed_ || state_ == SessionState::kExpired) {
      co_return Error(ErrorCode::kSessionExpired,
                      "session " + std::to_string(link_->session_id) + " expired");
    }
    auto pending = std::make_shared<Pending<T>>();
    Simulation& simulation = service_.simulation();
    std::shared_ptr<SimZkLink> link = link_;
    SimZooKeeper* service = &service_;
    const ZooKeeperFaults faults = service_.faults();

    const uint64_t connection = link->connection;
    auto reply = [&simulation, link, pending, connection](int64_t at_ns, Result<T> result) {
      simulation.schedule_for_incarnation(
          at_ns, link->node->id(), link->incarnation, EventKind::kDelivery,
          [link, pending, connection, result = std::move(result)]() mutable {
            if (pending->abandoned) return;
            if (link->connection != connection) {
              // Outstanding on a connection that broke since.
              result = Error(ErrorCode::kUnavailable, "connection loss");
            }
            if (link->client && result.ok()) link->client->set_state(SessionState::kConnected);
            if (link->client && !result.ok() && result.code() == ErrorCode::kUnavailable) {
              link->client->set_state(SessionState::kDisconnected);
            }
            if (link->client && !result.ok() && result.code() == ErrorCode::kSessionExpired) {
              link->client->set_state(SessionState::kExpired);
            }
            pending->result.emplace(std::move(result));
            pending->waiter.resume();
          });
    };
    const Error lost(ErrorCode::kUnavailable, "connection loss");
    // The op timeout of a client that hears nothing: two thirds of the session timeout.
    const int64_t give_up_ns = simulation.now_ns() + timeout_ns_ * 2 / 3;

    // Sent if it can reach the service, whether or not an answer can come back (one-way cuts),
    // and if the power is still on.
    if (!service_.hears(node_.id()) || node_.doomed()) {
      reply(give_up_ns, lost);
    } else if (simulation.now_ns() < link->broken_until_ns) {
      reply(link->broken_until_ns,
            lost);  // sent on the broken connection: fails when it is noticed
    } else {
      const int64_t commit_ns = write ? service_.draw_commit_latency_ns() : 0;
      const int64_t arrival = link->next_arrival(simulation, commit_ns);
      simulation.schedule_at(
          arrival, kNoNode, EventKind::kControl,
          [&simulation, service, link, reply, apply, write, faults, give_up_ns, lost] {
            Random& random = simulation.random();
            if (!service->hears(link->node->id()) ||
                chance(random, faults.request_loss_probability)) {
              const int64_t noticed_at = std::max(give_up_ns, simulation.now_ns());
              link->break_connection(
                  noticed_at);  // a request lost on the way: the connection broke
              reply(noticed_at, lost);
              return;
            }
            SimZooKeeper::Session* session = service->session(link->session_id);
            if (session == nullptr || session->expired) {
              reply(link->next_delivery(simulation),
                    Error(ErrorCode::kSessionExpired,
                          "session " + std::to_string(link->session_id) + " expired"));
              return;
            }
            service->heard_from(link->session_id);
            // Read-your-writes: only a session that has not written or synced since the
            // followers fell behind can be served a stale read.
            const bool stale = !write &&
                               link->fresh_reads_from_ns < service->stale_tree_taken_ns() &&
                               chance(random, faults.stale_read_probability);
            Result<T> result = apply(stale);
            // A session's view never goes back in time: once it has seen the tree as it is now, a
            // later stale read may only come from a snapshot taken after that.
            if (write || !stale) link->fresh_reads_from_ns = simulation.now_ns();
            if (!service->reaches(link->node->id()) ||
                chance(random, faults.reply_loss_probability)) {
              // Applied; the client never hears, and its connection is broken for every request on
              // it.
              const int64_t noticed_at = std::max(give_up_ns, simulation.now_ns());
              link->break_connection(noticed_at);
              reply(noticed_at, lost);
              return;
            }
            reply(link->next_delivery(simulation), std::move(result));
          });
    }
    struct Await {
      std::shared_ptr<Pending<T>> pending;
      bool await_ready() noexcept { return false; }
      void await_suspend(std::coroutine_handle<> self) { pending->waiter = self; }
      Result<T> await_resume() { return std::move(*pending->result); }
      ~Await() {
        if (!pending->result) pending->abandoned = true;  // our frame died first
      }
    };
    // Named: GCC 12 destroys an awaiter temporary twice, which would drop `pending` early.
    Await awaiter{pending};
    co_return co_await awaiter;
  }

  // Pings keep the session alive at the service and tell the client when it is cut off or
  // expired. They run while the client object exists and the session is not over.
  void schedule_ping() {
    Simulation& simulation = service_.simulation();
    std::shared_ptr<SimZkLink> link = link_;
    SimZooKeeper* service = &service_;
    simulation.schedule_for_incarnation(
        simulation.now_ns() + timeout_ns_ / 3, node_.id(), link->incarnation, EventKind::kTimer,
        [service, link] {
          SimZkSession* client = link->client;
          if (client == nullptr || client->closed_ || client->state_ == SessionState::kExpired)
            return;
          // A ping keeps the session alive if it arrives; the client counts as connected only if
          // the answer comes back too (a one-way cut: alive at the service, deaf at the client).
          SimZooKeeper::Session* session = service->session(link->session_id);
          if (service->hears(link->node->id()) && session != nullptr && !session->expired) {
            service->heard_from(link->session_id);
          }
          if (!service->reachable_from(link->node->id())) {
            client->set_state(SessionState::kDisconnected);
          } else {
            if (session == nullptr || session->expired) {
              client->set_state(SessionState::kExpired);
              return;
            }
            client->set_state(SessionState::kConnected);
          }
          client->schedule_ping();
        });
  }

  SimZooKeeper& service_;
  SimNode& node_;
  std::shared_ptr<SimZkLink> link_;
  int64_t timeout_ns_;
  CoordinatorEvents events_;
  SessionState state_ = SessionState::kConnected;
  bool closed_ = false;
};

namespace {

// The Coordinator of one node: opens sessions from whichever incarnation of it is running.
class SimZkCoordinator final : public Coordinator {
 public:
  SimZkCoordinator(SimZooKeeper& service, SimNode& node) : service_(service), node_(node) {}

  Task<Result<std::unique_ptr<CoordinatorSession>>> connect(Duration session_timeout,
                                                            Duration connect_timeout) override {
    const int64_t timeout_ns =
        std::clamp<int64_t>(session_timeout.count(), kMinSessionTimeoutNs, kMaxSessionTimeoutNs);
    Simulation& simulation = service_.simulation();
    // The handshake: one round trip while the service is reachable; otherwise keep trying
    // until connect_timeout.
    const int64_t deadline = simulation.now_ns() + connect_timeout.count();
    while (!service_.reachable_from(node_.id())) {
      if (simulation.now_ns() >= deadline) {
        co_return Error(ErrorCode::kUnavailable, "zookeeper unreachable from " + node_.name());
      }
      co_await node_.clock().sleep_for(std::chrono::milliseconds(100));
    }
    co_await node_.clock().sleep_for(Duration(2 * simulation.network().draw_latency_ns()));
    auto link = std::make_shared<SimZkLink>();
    link->node = &node_;
    link->incarnation = node_.incarnation();
    link->last_arrival_ns = simulation.now_ns();
    link->last_delivery_ns = simulation.now_ns();
    link->session_id = service_.open_session(timeout_ns, link);
    simulation.trace(node_.id(), "zk session " + std::to_string(link->session_id) + " opened");
    co_return std::unique_ptr<CoordinatorSession>(
        std::make_unique<SimZkSession>(service_, node_, link, timeout_ns));
  }

 private:
  SimZooKeeper& service_;
  SimNode& node_;
};

}  // namespace

SimZooKeeper::SimZooKeeper(Simulation& simulation)
    : simulation_(simulation), node_id_(simulation.add_node("zookeeper", nullptr).id()) {
  simulation_.node(node_id_).start();
  tree_["/"] = ZNode{};
}

SimZooKeeper::~SimZooKeeper() {
  for (auto& [id, session] : sessions_) {
    if (session.link) session.link->client = nullptr;
  }
}

int64_t SimZooKeeper::draw_commit_latency_ns() {
  constexpr double kMaxCommitNs = 5e9;  // beyond this a real leader would have lost its quorum
  ++writes_;
  const double scale = static_cast<double>(std::max<int64_t>(1, faults_.commit_latency_scale_ns));
  const auto fsync_ns =
      static_cast<int64_t>(std::min(kMaxCommitNs, pareto(simulation_.random(), scale, 1.5)));
  if (capacity_.writes_per_s <= 0) return fsync_ns;
  // One transaction after another: this one is logged once those before it are.
  const auto slot_ns = static_cast<int64_t>(1e9 / capacity_.writes_per_s);
  log_free_at_ns_ = std::max(log_free_at_ns_, simulation_.now_ns()) + slot_ns;
  return log_free_at_ns_ - simulation_.now_ns() + fsync_ns;
}

Coordinator& SimZooKeeper::client(SimNode& node) {
  auto& slot = clients_[node.id()];
  if (!slot) slot = std::make_unique<SimZkCoordinator>(*this, node);
  return *slot;
}

bool SimZooKeeper::hears(NodeId client) const {
  return available_ && !simulation_.network().blocked(client, node_id_);
}

bool SimZooKeeper::reaches(NodeId client) const {
  return available_ && !simulation_.network().blocked(node_id_, client);
}

bool SimZooKeeper::reachable_from(NodeId client) const {
  return hears(client) && reaches(client);
}

void SimZooKeeper::set_available(bool available) {
  if (available && !available_) {
    // A new leader gives every live session a fresh timeout.
    for (auto& [id, session] : sessions_) session.last_heard_ns = simulation_.now_ns();
  }
  available_ = available;
  simulation_.trace(node_id_, available ? "zookeeper available" : "zookeeper unavailable");
}

SimZooKeeper::Session* SimZooKeeper::session(int64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

int64_t SimZooKeeper::open_session(int64_t timeout_ns, std::shared_ptr<SimZkLink> link) {
  const int64_t id = next_session_id_++;
  sessions_[id] = Session{id, timeout_ns, simulation_.now_ns(), false, std::move(link)};
  schedule_expiry_check(id);
  return id;
}

void SimZooKeeper::heard_from(int64_t session_id) {
  if (Session* s = session(session_id); s != nullptr && !s->expired)
    s->last_heard_ns = simulation_.now_ns();
}

void SimZooKeeper::schedule_expiry_check(int64_t session_id) {
  Session* s = session(session_id);
  if (s == nullptr || s->expired) return;
  // While the service is down nothing expires: look again a tick later, never at the same instant.
  const int64_t at = std::max(s->last_heard_ns + s->timeout_ns, simulation_.now_ns() + 200'000'000);
  simulation_.schedule_at(at, kNoNode, EventKind::kTimer, [this, session_id] {
    Session* s = session(session_id);
    if (s == nullptr || s->expired) return;
    if (available_ && simulation_.now_ns() - s->last_heard_ns >= s->timeout_ns) {
      expire(*s);
    } else {
      schedule_expiry_check(session_id);
    }
  });
}

void SimZooKeeper::expire_session(int64_t session_id) {
  if (Session* s = session(session_id); s != nullptr && !s->expired) expire(*s);
}

void SimZooKeeper::close_session(int64_t session_id) {
  Session* s = session(session_id);
  if (s == nullptr || s->expired) return;
  expire(*s);
}

void SimZooKeeper::expire(Session& session) {
  session.expired = true;
  ++sessions_expired_;
  simulation_.trace(node_id_, "zk session " + std::to_string(session.id) + " expired");
  // Its watches go first (they never fire), then its ephemerals, whose deletion fires others'.
  for (auto* watches : {&data_watches_, &child_watches_}) {
    for (auto it = watches->begin(); it != watches->end();) {
      it->second.erase(session.id);
      it = it->second.empty() ? watches->erase(it) : std::next(it);
    }
  }
  std::vector<std::string> ephemerals;
  for (const auto& [path, node] : tree_) {
    if (node.ephemeral_owner == session.id) ephemerals.push_back(path);
  }
  Fired fired;
  note_write();
  for (const std::string& path : ephemerals) remove_node(path, &fired);
  deliver(fired);
}

// --- Writes ---

void SimZooKeeper::note_write() {
  if (faults_.stale_read_probability <= 0) return;
  // Followers lag by up to ~100 ms: a stale read sees the tree from before this burst.
  if (simulation_.now_ns() - stale_tree_taken_ns_ > 100'000'000) {
    stale_tree_ = tree_;
    stale_tree_taken_ns_ = simulation_.now_ns();
  }
}

void SimZooKeeper::applied(Write write, bool in_multi) {
  if (write_watchers_.empty()) return;
  if (in_multi) {
    multi_writes_.push_back(std::move(write));
    return;
  }
  for (const auto& watcher : write_watchers_) watcher(write);
}

void SimZooKeeper::fire(std::map<std::string, std::set<int64_t>>& watches, const std::string& path,
                        CoordinatorEvent::Kind kind, Fired* fired) {
  auto it = watches.find(path);
  if (it == watches.end()) return;
  for (int64_t session_id : it->second)
    fired->emplace_back(session_id, CoordinatorEvent{kind, path});
  watches.erase(it);
}

void SimZooKeeper::deliver(Fired& fired) {
  for (const auto& [session_id, event] : fired) {
    Session* s = session(session_id);
    if (s == nullptr || s->expired || !s->link) continue;
    deliver_when_reachable(s->link, event, session_id);
  }
  fired.clear();
}

void SimZooKeeper::deliver_when_reachable(const std::shared_ptr<SimZkLink>& link,
                                          const CoordinatorEvent& event, int64_t session_id) {
  // A client cut off from the service hears no watch event until it is reachable again
  // (ZooKeeper sends it on reconnection); by then its session may have expired instead.
  SimZooKeeper* service = this;
  simulation_.schedule_for_incarnation(
      link->next_delivery(simulation_), link->node->id(), link->incarnation, EventKind::kDelivery,
      [service, link, event, session_id] {
        Session* session = service->session(session_id);
        if (session == nullptr || session->expired) return;
        if (!service->reaches(link->node->id())) {
          service->simulation_.schedule_for_incarnation(
              service->simulation_.now_ns() + 100'000'000, link->node->id(), link->incarnation,
              EventKind::kDelivery, [service, link, event, session_id] {
                service->deliver_when_reachable(link, event, session_id);
              });
          return;
        }
        if (link->client) link->client->deliver_event(event);
      });
}

Result<std::string> SimZooKeeper::apply_create(int64_t session, const CreateOp& op, Fired* fired) {
  if (Status s = validate_path(op.path); !s.ok() || op.path == "/") {
    return Error(ErrorCode::kInvalidArgument, "bad path '" + op.path + "'");
  }
  if (op.data.size() > kMaxNodeBytes)
    return Error(ErrorCode::kTooLarge, "node data over kMaxNodeBytes");
  const std::string parent = parent_of(op.path);
  auto parent_it = tree_.find(parent);
  if (parent_it == tree_.end()) return Error(ErrorCode::kNotFound, "no parent for " + op.path);
  if (parent_it->second.ephemeral_owner != 0) {
    return Error(ErrorCode::kInvalidArgument, "ephemeral " + parent + " cannot have children");
  }
  std::string path = op.path;
  const bool sequential =
      op.mode == NodeMode::kPersistentSequential || op.mode == NodeMode::kEphemeralSequential;
  if (sequential) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%010d", parent_it->second.child_sequence);
    path += suffix;
  }
  if (tree_.contains(path)) return Error(ErrorCode::kAlreadyExists, path + " exists");
  Fired local;
  Fired* out = fired ? fired : &local;
  note_write();
  ZNode node;
  node.data = op.data;
  if (op.mode == NodeMode::kEphemeral || op.mode == NodeMode::kEphemeralSequential)
    node.ephemeral_owner = session;
  tree_.emplace(path, std::move(node));
  ZNode& parent_node = tree_.at(parent);
  parent_node.children.insert(leaf_of(path));
  ++parent_node.child_sequence;
  fire(data_watches_, path, CoordinatorEvent::Kind::kCreated, out);
  fire(child_watches_, parent, CoordinatorEvent::Kind::kChildrenChanged, out);
  if (!fired) deliver(local);
  applied(Write{Write::Kind::kCreate, session, path, op.data}, fired != nullptr);
  return path;
}

Result<int32_t> SimZooKeeper::apply_set(int64_t session, const SetOp& op, Fired* fired) {
  if (op.data.size() > kMaxNodeBytes)
    return Error(ErrorCode::kTooLarge, "node data over kMaxNodeBytes");
  auto it = tree_.find(op.path);
  if (it == tree_.end()) return Error(ErrorCode::kNotFound, op.path + " not found");
  if (op.version != kAnyVersion && op.version != it->second.version) {
    return Error(ErrorCode::kVersionMismatch, op.path + " is at version " +
                                                  std::to_string(it->second.version) + ", not " +
                                                  std::to_string(op.version));
  }
  note_write();
  it->second.data = op.data;
  const int32_t version = ++it->second.version;
  Fired local;
  fire(data_watches_, op.path, CoordinatorEvent::Kind::kDataChanged, fired ? fired : &local);
  if (!fired) deliver(local);
  applied(Write{Write::Kind::kSet, session, op.path, op.data, version}, fired != nullptr);
  return version;
}

void SimZooKeeper::remove_node(const std::string& path, Fired* fired) {
  tree_.erase(path);
  const std::string parent = parent_of(path);
  if (auto it = tree_.find(parent); it != tree_.end()) {
    it->second.children.erase(leaf_of(path));
    ++it->second.child_sequence;  // as ZooKeeper's cversion: deletes advance the suffix too
  }
  fire(data_watches_, path, CoordinatorEvent::Kind::kDeleted, fired);
  fire(child_watches_, path, CoordinatorEvent::Kind::kDeleted, fired);
  fire(child_watches_, parent, CoordinatorEvent::Kind::kChildrenChanged, fired);
}

Status SimZooKeeper::apply_remove(int64_t session, const RemoveOp& op, Fired* fired) {
  auto it = tree_.find(op.path);
  if (it == tree_.end() || op.path == "/")
    return Error(ErrorCode::kNotFound, op.path + " not found");
  if (op.version != kAnyVersion && op.version != it->second.version) {
    return Error(ErrorCode::kVersionMismatch,
                 op.path + " is at version " + std::to_string(it->second.version));
  }
  if (!it->second.children.empty()) return Error(ErrorCode::kNotEmpty, op.path + " has children");
  note_write();
  Fired local;
  remove_node(op.path, fired ? fired : &local);
  if (!fired) deliver(local);
  applied(Write{Write::Kind::kRemove, session, op.path, ""}, fired != nullptr);
  return Status();
}

Status SimZooKeeper::apply_check(const CheckOp& op) const {
  auto it = tree_.find(op.path);
  if (it == tree_.end()) return Error(ErrorCode::kNotFound, op.path + " not found");
  if (op.version != kAnyVersion && op.version != it->second.version) {
    return Error(ErrorCode::kVersionMismatch, op.path + " is at version " +
                                                  std::to_string(it->second.version) + ", not " +
                                                  std::to_string(op.version));
  }
  return Status();
}

Result<MultiResult> SimZooKeeper::apply_multi(int64_t session,
                                              const std::vector<CoordinatorOp>& ops) {
  // Apply in order on the live tree, keeping what is needed to roll back; fire watches only
  // if every op applied.
  const Tree before = tree_;
  const auto data_watches_before = data_watches_;
  const auto child_watches_before = child_watches_;
  Fired fired;
  MultiResult result;
  multi_writes_.clear();
  for (size_t i = 0; i < ops.size(); ++i) {
    Status status;
    std::string created;
    int32_t version = -1;
    if (const auto* create = std::get_if<CreateOp>(&ops[i])) {
      Result<std::string> r = apply_create(session, *create, &fired);
      if (r.ok())
        created = *r;
      else
        status = r.status();
    } else if (const auto* set = std::get_if<SetOp>(&ops[i])) {
      Result<int32_t> r = apply_set(session, *set, &fired);
      if (r.ok())
        version = *r;
      else
        status = r.status();
    } else if (const auto* remove = std::get_if<RemoveOp>(&ops[i])) {
      status = apply_remove(session, *remove, &fired);
    } else {
      status = apply_check(std::get<CheckOp>(ops[i]));
    }
    if (!status.ok()) {
      tree_ = before;
      data_watches_ = data_watches_before;
      child_watches_ = child_watches_before;
      multi_writes_.clear();
      return Error(status.code(),
                   "multi op " + std::to_string(i) + ": " + status.error().message());
    }
    result.created_paths.push_back(created);
    result.new_versions.push_back(version);
  }
  deliver(fired);
  std::vector<Write> writes = std::move(multi_writes_);
  multi_writes_.clear();
  for (const Write& write : writes) {
    for (const auto& watcher : write_watchers_) watcher(write);
  }
  return result;
}

// --- Reads ---

const SimZooKeeper::Tree& SimZooKeeper::tree_for_read(bool stale) const {
  return stale && stale_tree_taken_ns_ >= 0 ? stale_tree_ : tree_;
}

Result<NodeData> SimZooKeeper::read_get(int64_t session, const std::string& path, bool watch,
                                        bool stale) {
  ++reads_;
  if (Status s = validate_path(path); !s.ok()) return s.error();
  const Tree& tree = tree_for_read(stale);
  auto it = tree.find(path);
  if (it == tree.end()) return Error(ErrorCode::kNotFound, path + " not found");
  if (watch) data_watches_[path].insert(session);
  if (watch && stale) catch_up_stale_watch(session, path, false);
  return NodeData{it->second.data, it->second.version, it->second.ephemeral_owner};
}

Result<std::vector<std::string>> SimZooKeeper::read_children(int64_t session,
                                                             const std::string& path, bool watch,
                                                             bool stale) {
  ++reads_;
  if (Status s = validate_path(path); !s.ok()) return s.error();
  const Tree& tree = tree_for_read(stale);
  auto it = tree.find(path);
  if (it == tree.end()) return Error(ErrorCode::kNotFound, path + " not found");
  if (watch) child_watches_[path].insert(session);
  if (watch && stale) catch_up_stale_watch(session, path, true);
  return std::vector<std::string>(it->second.children.begin(), it->second.children.end());
}

Result<std::optional<int32_t>> SimZooKeeper::read_exists(int64_t session, const std::string& path,
                                                         bool watch, bool stale) {
  ++reads_;
  if (Status s = validate_path(path); !s.ok()) return s.error();
  const Tree& tree = tree_for_read(stale);
  if (watch) data_watches_[path].insert(session);
  if (watch && stale) catch_up_stale_watch(session, path, false);
  auto it = tree.find(path);
  if (it == tree.end()) return std::optional<int32_t>();
  return std::optional<int32_t>(it->second.version);
}

void SimZooKeeper::catch_up_stale_watch(int64_t session, const std::string& path,
                                        bool child_watch) {
  const auto seen = stale_tree_.find(path);
  const auto now = tree_.find(path);
  const bool was = seen != stale_tree_.end(), is = now != tree_.end();
  std::optional<CoordinatorEvent::Kind> kind;
  if (was && !is) {
    kind = CoordinatorEvent::Kind::kDeleted;
  } else if (!was && is) {
    if (!child_watch) kind = CoordinatorEvent::Kind::kCreated;  // (a child watch needs the node)
  } else if (was && is) {
    if (child_watch && seen->second.children != now->second.children)
      kind = CoordinatorEvent::Kind::kChildrenChanged;
    if (!child_watch && seen->second.version != now->second.version)
      kind = CoordinatorEvent::Kind::kDataChanged;
  }
  if (!kind) return;
  auto& watches = child_watch ? child_watches_ : data_watches_;
  if (auto it = watches.find(path); it != watches.end()) {
    it->second.erase(session);
    if (it->second.empty()) watches.erase(it);
  }
  // After the read's reply, FIFO on the session's connection, as the follower sends it.
  SimZooKeeper* service = this;
  const CoordinatorEvent event{*kind, path};
  simulation_.schedule_at(simulation_.now_ns(), kNoNode, EventKind::kControl,
                          [service, session, event] {
                            Fired fired{{session, event}};
                            service->deliver(fired);
                          });
}

// --- For checkers ---

std::optional<NodeData> SimZooKeeper::peek(const std::string& path) const {
  auto it = tree_.find(path);
  if (it == tree_.end()) return std::nullopt;
  return NodeData{it->second.data, it->second.version, it->second.ephemeral_owner};
}

std::vector<std::string> SimZooKeeper::peek_children(const std::string& path) const {
  auto it = tree_.find(path);
  if (it == tree_.end()) return {};
  return {it->second.children.begin(), it->second.children.end()};
}

std::vector<int64_t> SimZooKeeper::live_sessions() const {
  std::vector<int64_t> live;
  for (const auto& [id, session] : sessions_) {
    if (!session.expired) live.push_back(id);
  }
  return live;
}

}  // namespace lj::sim
