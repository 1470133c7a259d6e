#include "prod/real/zk_coordinator.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "prod/io/coordinator_events.h"
#include "prod/io/invariant.h"
#include "prod/real/asio_runtime.h"

namespace lj {

namespace {

// Runs a function on the loop thread; callable from the client's threads.
using Poster = std::function<void(std::function<void()>)>;

Error zk_error(int rc, const std::string& what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc) {
    case ZNONODE:
      code = ErrorCode::kNotFound;
      break;
    case ZNODEEXISTS:
      code = ErrorCode::kAlreadyExists;
      break;
    case ZBADVERSION:
      code = ErrorCode::kVersionMismatch;
      break;
    case ZNOTEMPTY:
      code = ErrorCode::kNotEmpty;
      break;
    case ZCONNECTIONLOSS:
    case ZOPERATIONTIMEOUT:
      code = ErrorCode::kUnavailable;
      break;
    case ZSESSIONEXPIRED:
    case ZSESSIONMOVED:
    case ZINVALIDSTATE:
      code = ErrorCode::kSessionExpired;
      break;
    case ZBADARGUMENTS:
    case ZNOCHILDRENFOREPHEMERALS:
      code = ErrorCode::kInvalidArgument;
      break;
    case ZCLOSING:
      code = ErrorCode::kCancelled;
      break;
    case ZNOAUTH:
    case ZAUTHFAILED:
      code = ErrorCode::kPermissionDenied;
      break;
    default:
      break;
  }
  return Error(code, what + ": " + zerror(rc));
}

int zk_mode(NodeMode mode) {
  switch (mode) {
    case NodeMode::kPersistent:
      return ZOO_PERSISTENT;
    case NodeMode::kEphemeral:
      return ZOO_EPHEMERAL;
    case NodeMode::kPersistentSequential:
      return ZOO_PERSISTENT_SEQUENTIAL;
    case NodeMode::kEphemeralSequential:
      return ZOO_EPHEMERAL_SEQUENTIAL;
  }
  LJ_ASSERT(false && "unknown node mode");
  return ZOO_PERSISTENT;
}

Status check_size(const std::string& what, const std::string& data) {
  if (data.size() <= kMaxNodeBytes) return Status();
  return Error(ErrorCode::kTooLarge, what + ": " + std::to_string(data.size()) +
                                         " bytes exceed the node limit of " +
                                         std::to_string(kMaxNodeBytes));
}

// ---- One awaited outcome -----------------------------------------------------------------

// The outcome of one operation, shared by whoever completes it and the coroutine awaiting it.
// Touched on the loop thread only. The first outcome wins (connect: connected vs deadline).
template <typename T>
struct Pending {
  std::optional<T> outcome;
  std::coroutine_handle<> waiting;

  void complete(T value) {
    if (outcome.has_value()) return;
    outcome.emplace(std::move(value));
    if (std::coroutine_handle<> waiter = std::exchange(waiting, {})) waiter.resume();
  }
};

// co_await Await<T>(pending): resumes when `pending` completes. If the awaiting frame is
// destroyed first, it unregisters, so a late completion resumes nobody.
template <typename T>
class Await {
 public:
  explicit Await(std::shared_ptr<Pending<T>> pending) : pending_(std::move(pending)) {}
  Await(const Await&) = delete;
  Await& operator=(const Await&) = delete;
  ~Await() { pending_->waiting = {}; }
  bool await_ready() const noexcept { return pending_->outcome.has_value(); }
  void await_suspend(std::coroutine_handle<> self) noexcept { pending_->waiting = self; }
  T await_resume() { return std::move(*pending_->outcome); }

 private:
  std::shared_ptr<Pending<T>> pending_;
};

// ---- A session's state -------------------------------------------------------------------

// A session's state and mailbox, shared with the callbacks posted to the loop thread (which
// hold it weakly: a callback arriving after the session is gone finds nothing).
struct SessionCore {
  SessionCore(Executor& executor, Clock& clock) : events(executor, clock) {}

  SessionState state = SessionState::kConnecting;
  CoordinatorEvents events;
  std::shared_ptr<Pending<SessionState>> connecting;  // connect()'s wait, while it lasts

  void on_event(int type, int zk_state, const std::string& path) {
    if (type == ZOO_SESSION_EVENT) return on_session_event(zk_state);
    CoordinatorEvent event{CoordinatorEvent::Kind::kCreated, path};
    if (type == ZOO_CREATED_EVENT) {
      event.kind = CoordinatorEvent::Kind::kCreated;
    } else if (type == ZOO_DELETED_EVENT) {
      event.kind = CoordinatorEvent::Kind::kDeleted;
    } else if (type == ZOO_CHANGED_EVENT) {
      event.kind = CoordinatorEvent::Kind::kDataChanged;
    } else if (type == ZOO_CHILD_EVENT) {
      event.kind = CoordinatorEvent::Kind::kChildrenChanged;
    } else {
      return;  // ZOO_NOTWATCHING_EVENT: a watch removed, nothing changed
    }
    events.push(std::move(event));
  }

  // The client repeats session events (once per registered watch), so only changes count.
  void on_session_event(int zk_state) {
    if (state == SessionState::kExpired) return;  // final (expired, or closed by us)
    SessionState next = state;
    if (zk_state == ZOO_CONNECTED_STATE || zk_state == ZOO_READONLY_STATE) {
      next = SessionState::kConnected;
    } else if (zk_state == ZOO_EXPIRED_SESSION_STATE || zk_state == ZOO_AUTH_FAILED_STATE) {
      next = SessionState::kExpired;
    } else if (state == SessionState::kConnected) {
      next = SessionState::kDisconnected;  // connecting again after having been connected
    }
    if (next == state) return;
    const bool announce = state != SessionState::kConnecting;  // connect() announces nothing
    state = next;
    if (announce) events.push(CoordinatorEvent{CoordinatorEvent::Kind::kSession, "", next});
    if (connecting) std::exchange(connecting, {})->complete(next);
  }

  // A call's failure can be the first news of a change (the client reports the expiry to the
  // call that learnt of it before the watcher hears), so state() and the events follow it.
  void on_failure(ErrorCode code) {
    if (code == ErrorCode::kSessionExpired) on_session_event(ZOO_EXPIRED_SESSION_STATE);
    if (code == ErrorCode::kUnavailable) on_session_event(ZOO_CONNECTING_STATE);
  }
};

// ---- Calls -------------------------------------------------------------------------------

// What a C completion receives as its `data`: owned by the client from a successful submit
// until the completion, which the client calls exactly once (with ZCLOSING from
// zookeeper_close at the latest), on its completion thread or on the closing thread.
template <typename T>
struct Ticket {
  std::shared_ptr<Pending<Result<T>>> pending;
  Poster poster;
  std::weak_ptr<SessionCore> core;
  std::string what;  // "get /a", for error messages

  void deliver(Result<T> outcome) {
    poster([pending = pending, core = core, outcome = std::move(outcome)]() mutable {
      if (std::shared_ptr<SessionCore> alive = core.lock(); alive && !outcome.ok()) {
        alive->on_failure(outcome.code());
      }
      pending->complete(std::move(outcome));
    });
  }
  void fail(int rc) { deliver(zk_error(rc, what)); }
};

template <typename T>
std::unique_ptr<T> take_ticket(const void* data) {
  return std::unique_ptr<T>(static_cast<T*>(const_cast<void*>(data)));
}

// Submits one asynchronous call: `submit(ticket)` hands the ticket to the client as the
// completion's data and returns the client's rc. The ticket is the completion's from then on.
template <typename T, typename TicketType = Ticket<T>, typename Submit>
Task<Result<T>> submit_and_wait(std::unique_ptr<TicketType> ticket, Submit submit) {
  std::shared_ptr<Pending<Result<T>>> pending = ticket->pending;
  const int rc = submit(static_cast<const void*>(ticket.get()));
  if (rc != ZOK) {
    Error error = zk_error(rc, ticket->what);
    if (std::shared_ptr<SessionCore> core = ticket->core.lock()) core->on_failure(error.code());
    co_return error;
  }
  static_cast<void>(ticket.release());
  co_return co_await Await<Result<T>>(std::move(pending));
}

// ---- C completions (on the client's threads) ---------------------------------------------

using Done = std::monostate;

void on_created(int rc, const char* path, const void* data) {
  auto ticket = take_ticket<Ticket<std::string>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  ticket->deliver(std::string(path != nullptr ? path : ""));
}

void on_synced(int rc, const char*, const void* data) {
  auto ticket = take_ticket<Ticket<Done>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  ticket->deliver(Done{});
}

void on_removed(int rc, const void* data) {
  auto ticket = take_ticket<Ticket<Done>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  ticket->deliver(Done{});
}

void on_got(int rc, const char* value, int value_len, const Stat* stat, const void* data) {
  auto ticket = take_ticket<Ticket<NodeData>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  NodeData node;
  if (value != nullptr && value_len > 0) node.data.assign(value, static_cast<size_t>(value_len));
  node.version = stat->version;
  node.ephemeral_owner = stat->ephemeralOwner;
  ticket->deliver(std::move(node));
}

void on_set(int rc, const Stat* stat, const void* data) {
  auto ticket = take_ticket<Ticket<int32_t>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  ticket->deliver(stat->version);
}

void on_exists(int rc, const Stat* stat, const void* data) {
  auto ticket = take_ticket<Ticket<std::optional<int32_t>>>(data);
  if (rc == ZNONODE) return ticket->deliver(std::optional<int32_t>());
  if (rc != ZOK) return ticket->fail(rc);
  ticket->deliver(std::optional<int32_t>(stat->version));
}

void on_children(int rc, const String_vector* strings, const void* data) {
  auto ticket = take_ticket<Ticket<std::vector<std::string>>>(data);
  if (rc != ZOK) return ticket->fail(rc);
  std::vector<std::string> names;
  if (strings != nullptr) names.assign(strings->data, strings->data + strings->count);
  std::sort(names.begin(), names.end());
  ticket->deliver(std::move(names));
}

// The client's form of an ACL, pointing into `entries` (which must outlive it).
struct ClientAcl {
  std::vector<ACL> acl;
  ACL_vector vector{0, nullptr};
  explicit ClientAcl(const std::vector<ZkAclEntry>& entries) {
    for (const ZkAclEntry& entry : entries) {
      acl.push_back(ACL{entry.perms, Id{const_cast<char*>(entry.scheme.c_str()),
                                        const_cast<char*>(entry.id.c_str())}});
    }
    vector = ACL_vector{static_cast<int32_t>(acl.size()), acl.data()};
  }
};

// The ACL a node at `path` gets: the access's, or open to anyone. `entries` holds its strings.
const ACL_vector* acl_of(const ZkAccess& access, const std::string& path,
                         std::vector<ZkAclEntry>& entries, std::optional<ClientAcl>& acl) {
  if (!access.acl_for) return &ZOO_OPEN_ACL_UNSAFE;
  entries = access.acl_for(path);
  LJ_ASSERT(!entries.empty());  // a node nobody may touch is never what a policy means
  acl.emplace(entries);
  return &acl->vector;
}

// A multi's ticket also owns the buffers the client writes results into at completion.
struct MultiTicket : Ticket<MultiResult> {
  std::vector<zoo_op_t> ops;
  std::vector<zoo_op_result_t> results;    // zeroed: a connection loss leaves them untouched
  std::vector<std::vector<char>> created;  // one path buffer per op (empty for non-creates)
  std::vector<Stat> stats;                 // one per op, written for set ops
  std::vector<bool> is_create, is_set;
  std::vector<std::vector<ZkAclEntry>> acl_entries;  // per op: the ACLs the creates point at
  std::vector<std::optional<ClientAcl>> acls;
};

void on_multi(int rc, const void* data) {
  auto ticket = take_ticket<MultiTicket>(data);
  const size_t count = ticket->ops.size();
  if (rc != ZOK) {
    // The first op that failed for itself; the ones after it read ZRUNTIMEINCONSISTENCY.
    for (size_t i = 0; i < count; ++i) {
      const int err = ticket->results[i].err;
      if (err != ZOK && err != ZRUNTIMEINCONSISTENCY) {
        return ticket->deliver(zk_error(err, ticket->what + " op " + std::to_string(i)));
      }
    }
    return ticket->fail(rc);
  }
  MultiResult result;
  for (size_t i = 0; i < count; ++i) {
    result.created_paths.push_back(ticket->is_create[i] ? std::string(ticket->created[i].data())
                                                        : std::string());
    result.new_versions.push_back(ticket->is_set[i] ? ticket->stats[i].version : -1);
  }
  ticket->deliver(std::move(result));
}

// ---- The session -------------------------------------------------------------------------

// The global watcher's context: outlives the handle (freed after zookeeper_close returns).
struct WatchContext {
  Poster poster;
  std::weak_ptr<SessionCore> core;
};

void on_watch(zhandle_t*, int type, int state, const char* path, void* context) {
  const auto* watch = static_cast<const WatchContext*>(context);
  watch->poster([core = watch->core, type, state, path = std::string(path != nullptr ? path : "")] {
    if (std::shared_ptr<SessionCore> alive = core.lock()) alive->on_event(type, state, path);
  });
}

void drop_client_log(const char*) {}

Task<void> complete_after(Clock& clock, Duration timeout,
                          std::weak_ptr<Pending<SessionState>> pending) {
  co_await clock.sleep_for(timeout);
  if (std::shared_ptr<Pending<SessionState>> alive = pending.lock()) {
    alive->complete(SessionState::kConnecting);
  }
}

int64_t to_ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class ZkSession final : public CoordinatorSession {
 public:
  ZkSession(Executor& executor, Clock& clock, Poster poster, std::shared_ptr<const ZkAccess> access)
      : access_(std::move(access)),
        executor_(executor),
        clock_(clock),
        poster_(std::move(poster)),
        core_(std::make_shared<SessionCore>(executor, clock)),
        watch_(std::make_unique<WatchContext>(WatchContext{poster_, core_})) {}

  ~ZkSession() override {
    // Blocks while the client flushes the close request (a round trip on a healthy link);
    // runs every outstanding completion with ZCLOSING before returning.
    if (zh_ != nullptr) zookeeper_close(zh_);
    if (closer_.joinable()) closer_.join();
  }

  // Starts the handle; `resume` reopens an existing session (expire_for_testing).
  Status start(const std::string& hosts, Duration session_timeout, const clientid_t* resume,
               bool client_log) {
    zh_ = zookeeper_init2(hosts.c_str(), on_watch, static_cast<int>(to_ms(session_timeout)), resume,
                          watch_.get(), 0, client_log ? nullptr : drop_client_log);
    if (zh_ == nullptr) {
      const int error = errno;
      return Error(error == EINVAL ? ErrorCode::kInvalidArgument : ErrorCode::kInternal,
                   "zookeeper_init(" + hosts + "): " + std::strerror(error));
    }
    // Sent once connected, and again by the client on every reconnection. A credential the
    // service rejects puts the handle in its auth-failed state: every call then fails.
    const std::string& credential = access_->digest_credential;
    if (!credential.empty()) {
      const int rc = zoo_add_auth(
          zh_, "digest", credential.data(), static_cast<int>(credential.size()),
          [](int, const void*) {}, nullptr);
      if (rc != ZOK) return zk_error(rc, "zoo_add_auth");
    }
    return Status();
  }

  // kConnected, kExpired (the service refused the session), or kConnecting at the deadline.
  Task<SessionState> wait_connected(Duration timeout) {
    if (core_->state != SessionState::kConnecting) co_return core_->state;
    auto pending = std::make_shared<Pending<SessionState>>();
    core_->connecting = pending;
    // Named, not converted in the call: GCC 12 can destroy such a temporary twice.
    std::weak_ptr<Pending<SessionState>> deadline_target = pending;
    executor_.spawn(complete_after(clock_, timeout, std::move(deadline_target)));
    const SessionState reached = co_await Await<SessionState>(pending);
    if (reached == SessionState::kConnected) {
      client_id_ = *zoo_client_id(zh_);
      negotiated_timeout_ = std::chrono::milliseconds(zoo_recv_timeout(zh_));
    }
    co_return reached;
  }

  const clientid_t& client_id() const { return client_id_; }
  // For expire_for_testing: points the handle at other servers (it reconnects at once).
  Status use_servers(const std::string& hosts) {
    if (zh_ == nullptr) return Error(ErrorCode::kSessionExpired, "session closed");
    const int rc = zoo_set_servers(zh_, hosts.c_str());
    return rc == ZOK ? Status() : Status(zk_error(rc, "zoo_set_servers(" + hosts + ")"));
  }
  // For expire_for_testing: not connected, and not about to be to any of `hosts` (IP
  // literals). A connection attempt chosen just before use_servers() may still go there.
  bool cut_off_from(const std::string& hosts) const {
    if (zh_ == nullptr) return true;
    const int state = zoo_state(zh_);
    if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE ||
        state == ZOO_ASSOCIATING_STATE) {
      return false;
    }
    const std::string current = zoo_get_current_server(zh_);
    std::stringstream list(hosts);
    for (std::string host; std::getline(list, host, ',');) {
      if (host == current) return false;
    }
    return true;
  }
  Duration negotiated_timeout() const { return negotiated_timeout_; }

  int64_t session_id() const override { return client_id_.client_id; }
  SessionState state() const override { return core_->state; }

  // After each co_await below, nothing touches `this`: the session may be gone by then.
  Task<Result<std::string>> create(const std::string& path, const std::string& data,
                                   NodeMode mode) override {
    const std::string what = "create " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    if (Status ok = check_size(what, data); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    std::vector<ZkAclEntry> entries;
    std::optional<ClientAcl> client_acl;
    const ACL_vector* acl =
        acl_of(*access_, path, entries, client_acl);  // (serialised by the call)
    co_return co_await submit_and_wait<std::string>(
        ticket<std::string>(what), [&](const void* ticket) {
          return zoo_acreate(zh, path.c_str(), data.data(), static_cast<int>(data.size()), acl,
                             zk_mode(mode), on_created, ticket);
        });
  }

  Task<Result<NodeData>> get(const std::string& path, bool watch) override {
    const std::string what = "get " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    co_return co_await submit_and_wait<NodeData>(ticket<NodeData>(what), [&](const void* ticket) {
      return zoo_aget(zh, path.c_str(), watch ? 1 : 0, on_got, ticket);
    });
  }

  Task<Result<int32_t>> set(const std::string& path, const std::string& data,
                            int32_t version) override {
    const std::string what = "set " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    if (Status ok = check_size(what, data); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    co_return co_await submit_and_wait<int32_t>(ticket<int32_t>(what), [&](const void* ticket) {
      return zoo_aset(zh, path.c_str(), data.data(), static_cast<int>(data.size()), version, on_set,
                      ticket);
    });
  }

  Task<Status> remove(const std::string& path, int32_t version) override {
    const std::string what = "remove " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok;
    zhandle_t* zh = zh_;
    Result<Done> done = co_await submit_and_wait<Done>(ticket<Done>(what), [&](const void* ticket) {
      return zoo_adelete(zh, path.c_str(), version, on_removed, ticket);
    });
    co_return done.status();
  }

  Task<Result<std::vector<std::string>>> children(const std::string& path, bool watch) override {
    const std::string what = "children " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    co_return co_await submit_and_wait<std::vector<std::string>>(
        ticket<std::vector<std::string>>(what), [&](const void* ticket) {
          return zoo_aget_children(zh, path.c_str(), watch ? 1 : 0, on_children, ticket);
        });
  }

  Task<Result<std::optional<int32_t>>> exists(const std::string& path, bool watch) override {
    const std::string what = "exists " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    co_return co_await submit_and_wait<std::optional<int32_t>>(
        ticket<std::optional<int32_t>>(what), [&](const void* ticket) {
          return zoo_aexists(zh, path.c_str(), watch ? 1 : 0, on_exists, ticket);
        });
  }

  Task<Result<MultiResult>> multi(const std::vector<CoordinatorOp>& ops) override {
    const std::string what = "multi of " + std::to_string(ops.size()) + " ops";
    if (Status ok = usable(what); !ok.ok()) co_return ok.error();
    auto ticket = std::make_unique<MultiTicket>();
    ticket->pending = std::make_shared<Pending<Result<MultiResult>>>();
    ticket->poster = poster_;
    ticket->core = core_;
    ticket->what = what;
    if (Status ok = prepare_multi(*access_, ops, *ticket); !ok.ok()) co_return ok.error();
    zhandle_t* zh = zh_;
    co_return co_await submit_and_wait<MultiResult, MultiTicket>(
        std::move(ticket), [&](const void* data) {
          auto* multi = static_cast<MultiTicket*>(const_cast<void*>(data));
          return zoo_amulti(zh, static_cast<int>(multi->ops.size()), multi->ops.data(),
                            multi->results.data(), on_multi, data);
        });
  }

  Task<Status> sync(const std::string& path) override {
    const std::string what = "sync " + path;
    if (Status ok = usable(what); !ok.ok()) co_return ok;
    zhandle_t* zh = zh_;
    Result<Done> done = co_await submit_and_wait<Done>(ticket<Done>(what), [&](const void* ticket) {
      return zoo_async(zh, path.c_str(), on_synced, ticket);
    });
    co_return done.status();
  }

  std::vector<CoordinatorEvent> take_events() override { return core_->events.take(); }

  Task<void> wait_for_events(Duration timeout) override {
    // The frame keeps the mailbox alive, should the session go while it waits.
    std::shared_ptr<SessionCore> core = core_;
    co_await core->events.wait_for(timeout);
  }

  Task<void> close() override {
    if (zh_ == nullptr) co_return;
    zhandle_t* zh = std::exchange(zh_, nullptr);
    core_->state = SessionState::kExpired;
    // zookeeper_close blocks until the service has the close request (seconds when it is
    // unreachable), so it runs off the loop thread; in-flight calls complete with ZCLOSING.
    auto closed = std::make_shared<Pending<bool>>();
    closer_ = std::thread([zh, closed, poster = poster_] {
      zookeeper_close(zh);
      poster([closed] { closed->complete(true); });
    });
    co_await Await<bool>(std::move(closed));
  }

 private:
  template <typename T>
  std::unique_ptr<Ticket<T>> ticket(std::string what) const {
    return std::make_unique<Ticket<T>>(
        Ticket<T>{std::make_shared<Pending<Result<T>>>(), poster_, core_, std::move(what)});
  }

  Status usable(const std::string& what) const {
    if (zh_ == nullptr) return Error(ErrorCode::kSessionExpired, what + ": session closed");
    const int state = zoo_state(zh_);
    if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
      core_->on_failure(ErrorCode::kSessionExpired);  // the watcher may not have told us yet
      return Error(ErrorCode::kSessionExpired, what + ": session expired");
    }
    return Status();
  }

  // Fills the multi's ops and result buffers. The ops' paths and data are copied by the
  // client inside zoo_amulti; the result buffers are written at completion.
  static Status prepare_multi(const ZkAccess& access, const std::vector<CoordinatorOp>& ops,
                              MultiTicket& ticket) {
    const size_t count = ops.size();
    ticket.ops.resize(count);
    ticket.results.assign(count, zoo_op_result_t{});
    ticket.created.resize(count);
    ticket.stats.assign(count, Stat{});
    ticket.is_create.assign(count, false);
    ticket.is_set.assign(count, false);
    ticket.acl_entries.resize(count);
    ticket.acls.resize(count);
    for (size_t i = 0; i < count; ++i) {
      zoo_op_t* op = &ticket.ops[i];
      if (const auto* create = std::get_if<CreateOp>(&ops[i])) {
        if (Status ok = check_size("multi op " + std::to_string(i), create->data); !ok.ok()) {
          return ok;
        }
        ticket.is_create[i] = true;
        std::vector<char>& buffer = ticket.created[i];
        buffer.assign(create->path.size() + 32, '\0');  // room for the ten-digit suffix
        const ACL_vector* acl = acl_of(access, create->path, ticket.acl_entries[i], ticket.acls[i]);
        zoo_create_op_init(op, create->path.c_str(), create->data.data(),
                           static_cast<int>(create->data.size()), acl, zk_mode(create->mode),
                           buffer.data(), static_cast<int>(buffer.size()));
      } else if (const auto* set = std::get_if<SetOp>(&ops[i])) {
        if (Status ok = check_size("multi op " + std::to_string(i), set->data); !ok.ok()) {
          return ok;
        }
        ticket.is_set[i] = true;
        zoo_set_op_init(op, set->path.c_str(), set->data.data(), static_cast<int>(set->data.size()),
                        set->version, &ticket.stats[i]);
      } else if (const auto* remove = std::get_if<RemoveOp>(&ops[i])) {
        zoo_delete_op_init(op, remove->path.c_str(), remove->version);
      } else {
        const auto& check = std::get<CheckOp>(ops[i]);
        zoo_check_op_init(op, check.path.c_str(), check.version);
      }
    }
    return Status();
  }

  std::shared_ptr<const ZkAccess> access_;
  Executor& executor_;
  Clock& clock_;
  Poster poster_;
  std::shared_ptr<SessionCore> core_;
  std::unique_ptr<WatchContext> watch_;  // the watcher's context: freed after the handle
  zhandle_t* zh_ = nullptr;
  clientid_t client_id_{};
  Duration negotiated_timeout_{};
  std::thread closer_;
};

Task<Result<std::unique_ptr<ZkSession>>> open_session(std::string hosts, RealRuntime& runtime,
                                                      std::shared_ptr<const ZkAccess> access,
                                                      bool client_log, Duration session_timeout,
                                                      Duration connect_timeout,
                                                      std::optional<clientid_t> resume) {
  Env env = runtime.env();
  auto session = std::make_unique<ZkSession>(env.executor, env.clock, runtime.cross_thread_poster(),
                                             std::move(access));
  Status started = session->start(hosts, session_timeout, resume ? &*resume : nullptr, client_log);
  if (!started.ok()) co_return started.error();
  const SessionState reached = co_await session->wait_connected(connect_timeout);
  if (reached == SessionState::kConnected) co_return std::move(session);
  if (reached == SessionState::kExpired) {
    co_return Error(ErrorCode::kSessionExpired, "ZooKeeper at " + hosts + " refused the session");
  }
  co_return Error(ErrorCode::kUnavailable, "no ZooKeeper server at " + hosts + " answered within " +
                                               std::to_string(to_ms(connect_timeout)) + " ms");
}

}  // namespace

ZkCoordinator::ZkCoordinator(std::string hosts, RealRuntime& runtime, bool client_log,
                             ZkAccess access)
    : hosts_(std::move(hosts)),
      runtime_(runtime),
      client_log_(client_log),
      access_(std::make_shared<const ZkAccess>(std::move(access))) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR); });
}

Task<Result<std::unique_ptr<CoordinatorSession>>> ZkCoordinator::connect(Duration session_timeout,
                                                                         Duration connect_timeout) {
  Result<std::unique_ptr<ZkSession>> opened = co_await open_session(
      hosts_, runtime_, access_, client_log_, session_timeout, connect_timeout, {});
  if (!opened.ok()) co_return opened.error();
  co_return std::unique_ptr<CoordinatorSession>(std::move(*opened));
}

Task<Status> ZkCoordinator::expire_for_testing(CoordinatorSession& session) {
  auto* zk = dynamic_cast<ZkSession*>(&session);
  LJ_ASSERT(zk != nullptr && "expire_for_testing: not a ZkCoordinator session");
  const clientid_t id = zk->client_id();
  const Duration timeout = zk->negotiated_timeout();
  // First cut the session's own handle off (pointed where nobody listens): were it
  // connected while the twin closes the session, the service would keep its connection open
  // with the watches on it, and even deliver them. (Another address, not just another port:
  // the client compares server lists by address only.)
  const std::string nowhere = "127.0.0.2:1";
  Clock& clock = runtime_.env().clock;
  Status outcome;
  for (int wait = 0; outcome.ok() && !zk->cut_off_from(hosts_); ++wait) {
    if (wait % 50 == 0) outcome = zk->use_servers(nowhere);  // again if it slipped back
    if (wait == 250) outcome = Error(ErrorCode::kInternal, "cannot cut the session's handle off");
    co_await clock.sleep_for(20ms);
  }
  // Each twin that gets in closes the session, so the next should be refused as expired.
  for (int attempt = 0; outcome.ok(); ++attempt) {
    if (attempt == 5) {
      outcome = Error(ErrorCode::kInternal, "session still alive after 5 closes");
      break;
    }
    Result<std::unique_ptr<ZkSession>> twin =
        co_await open_session(hosts_, runtime_, access_, client_log_, timeout, 10s, id);
    if (!twin.ok()) {
      if (twin.code() != ErrorCode::kSessionExpired) outcome = twin.status();
      break;
    }
    co_await (*twin)->close();
  }
  // Let it reach the service again, where it hears of the expiry.
  Status back = zk->use_servers(hosts_);
  co_return outcome.ok() ? back : outcome;
}

}  // namespace lj
