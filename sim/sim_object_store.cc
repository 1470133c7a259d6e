#include "sim/sim_object_store.h"

#include <algorithm>
#include <coroutine>
#include <optional>

#include "prod/storage/bucket_object_store.h"
#include "sim/sim_node.h"

namespace lj::sim {

namespace {

// One message for every injected failure: the caller must not learn whether it was applied.
constexpr const char* kFailedMessage = "object store: request failed (503), may have been applied";

const char* op_name(int op) {
  static constexpr const char* kNames[] = {"put",  "get",    "rename", "remove",
                                           "list", "exists", "copy"};
  return kNames[op];
}

}  // namespace

class SimObjectStore::Client final : public ObjectStore {
 public:
  Client(SimObjectStore& store, SimNode& node) : store_(store), node_(node) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    if (Status s = validate_object_name(name); !s.ok()) co_return s;
    Request request{Op::kPut, name, {}, std::move(contents)};
    Reply reply = co_await store_.call(node_, std::move(request));
    co_return reply.status;
  }

  Task<Result<std::string>> get(const std::string& name) override {
    if (Status s = validate_object_name(name); !s.ok()) co_return s.error();
    Request request{Op::kGet, name, {}, {}};
    Reply reply = co_await store_.call(node_, std::move(request));
    if (!reply.status.ok()) co_return reply.status.error();
    co_return std::move(reply.contents);
  }

  Task<Status> rename(const std::string& from, const std::string& to) override {
    if (Status s = validate_object_name(from); !s.ok()) co_return s;
    if (Status s = validate_object_name(to); !s.ok()) co_return s;
    Request request{Op::kRename, from, to, {}};
    Reply reply = co_await store_.call(node_, std::move(request));
    co_return reply.status;
  }

  Task<Status> remove(const std::string& name) override {
    if (Status s = validate_object_name(name); !s.ok()) co_return s;
    Request request{Op::kRemove, name, {}, {}};
    Reply reply = co_await store_.call(node_, std::move(request));
    co_return reply.status;
  }

  Task<Result<std::vector<std::string>>> list(const std::string& dir) override {
    if (!dir.empty()) {
      if (Status s = validate_object_name(dir); !s.ok()) co_return s.error();
    }
    Request request{Op::kList, dir, {}, {}};
    Reply reply = co_await store_.call(node_, std::move(request));
    if (!reply.status.ok()) co_return reply.status.error();
    co_return std::move(reply.names);
  }

 private:
  SimObjectStore& store_;
  SimNode& node_;
};

// S3's shape: every call a request of its own. Names come validated (BucketObjectStore).
class SimObjectStore::BucketClient final : public ObjectBucket {
 public:
  BucketClient(SimObjectStore& store, SimNode& node) : store_(store), node_(node) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    Reply reply = co_await call(Op::kPut, name, {}, std::move(contents));
    co_return reply.status;
  }
  Task<Result<std::string>> get(const std::string& name) override {
    Reply reply = co_await call(Op::kGet, name, {}, {});
    if (!reply.status.ok()) co_return reply.status.error();
    co_return std::move(reply.contents);
  }
  Task<Result<bool>> exists(const std::string& name) override {
    Reply reply = co_await call(Op::kExists, name, {}, {});
    if (!reply.status.ok()) co_return reply.status.error();
    co_return reply.exists;
  }
  Task<Status> copy(const std::string& from, const std::string& to) override {
    Reply reply = co_await call(Op::kCopy, from, to, {});
    co_return reply.status;
  }
  Task<Status> remove(const std::string& name) override {
    Reply reply = co_await call(Op::kRemove, name, {}, {});
    co_return reply.status;
  }
  Task<Result<std::vector<std::string>>> list(const std::string& dir) override {
    Reply reply = co_await call(Op::kList, dir, {}, {});
    if (!reply.status.ok()) co_return reply.status.error();
    co_return std::move(reply.names);
  }

 private:
  Task<Reply> call(Op op, const std::string& name, const std::string& to, std::string contents) {
    Request request{op, name, to, std::move(contents)};
    request.bucket = true;
    return store_.call(node_, std::move(request));
  }
  SimObjectStore& store_;
  SimNode& node_;
};

SimObjectStore::SimObjectStore(Simulation& simulation) : simulation_(simulation) {}

SimObjectStore::~SimObjectStore() = default;

ObjectStore& SimObjectStore::client(SimNode& node) {
  std::unique_ptr<ObjectStore>& slot = clients_[node.id()];
  if (slot) return *slot;
  if (bucket_shaped_) {
    slot = std::make_unique<BucketObjectStore>(bucket(node));
  } else {
    slot = std::make_unique<Client>(*this, node);
  }
  return *slot;
}

ObjectBucket& SimObjectStore::bucket(SimNode& node) {
  std::unique_ptr<BucketClient>& slot = buckets_[node.id()];
  if (!slot) slot = std::make_unique<BucketClient>(*this, node);
  return *slot;
}

int64_t SimObjectStore::draw_latency_ns(uint64_t bytes) {
  Random& random = simulation_.random();
  int64_t latency = uniform_between(random, faults_.min_latency_ns, faults_.max_latency_ns);
  if (chance(random, faults_.spike_probability)) {
    latency += static_cast<int64_t>(
        std::min(pareto(random, static_cast<double>(faults_.spike_scale_ns), 1.1),
                 static_cast<double>(faults_.max_spike_ns)));
  }
  const auto bandwidth = static_cast<uint64_t>(std::max<int64_t>(faults_.bandwidth_bytes_per_s, 1));
  return latency + static_cast<int64_t>(bytes * 1'000'000'000 / bandwidth);
}

SimObjectStore::Upload SimObjectStore::draw_upload(const Request& request) {
  const uint64_t bytes = request.contents.size();
  Upload upload;
  upload.propagate_ns = draw_latency_ns(0);
  const auto bandwidth = static_cast<uint64_t>(std::max<int64_t>(faults_.bandwidth_bytes_per_s, 1));
  upload.transmit_ns = static_cast<int64_t>(bytes * 1'000'000'000 / bandwidth);
  if (faults_.slow && request.op == Op::kPut) {
    const auto slow_bandwidth =
        static_cast<uint64_t>(std::max<int64_t>(faults_.slow_bandwidth_bytes_per_s, 1));
    upload.transmit_ns += uniform_between(simulation_.random(), faults_.slow_upload_min_ns,
                                          faults_.slow_upload_max_ns) +
                          static_cast<int64_t>(bytes * 1'000'000'000 / slow_bandwidth);
  }
  return upload;
}

void SimObjectStore::set_paused(bool paused) {
  faults_.paused = paused;
  if (paused) return;
  std::vector<std::function<void()>> held;
  held.swap(held_);
  for (std::function<void()>& arrival : held) {
    simulation_.schedule_after(Duration(0), kNoNode, EventKind::kDelivery, std::move(arrival));
  }
}

void SimObjectStore::set_powered(bool powered) {
  if (powered == faults_.powered) return;
  faults_.powered = powered;
  if (!powered) {
    power_cuts_ns_.push_back(simulation_.now_ns());
    simulation_.trace(kNoNode, "object store: power lost");
    // What a pause held dies with the power: run now, each finds the power off.
    std::vector<std::function<void()>> held;
    held.swap(held_);
    faults_.paused = false;
    for (std::function<void()>& arrival : held) arrival();
    return;
  }
  simulation_.trace(kNoNode, "object store: power back");
  std::vector<std::function<void()>> waiting;
  waiting.swap(cut_off_);
  for (std::function<void()>& reset : waiting) reset();
}

void SimObjectStore::answer_cut_off(NodeId node, uint64_t incarnation,
                                    std::function<void(Reply)> resume) {
  auto reset = [this, node, incarnation, resume = std::move(resume)] {
    simulation_.schedule_for_incarnation(
        simulation_.now_ns() + draw_latency_ns(0), node, incarnation, EventKind::kResume, [resume] {
          resume(Reply{Error(ErrorCode::kUnavailable,
                             "object store: connection reset (the store lost "
                             "power), may have been applied"),
                       {},
                       {}});
        });
  };
  if (faults_.powered) return reset();
  cut_off_.push_back(std::move(reset));
}

Task<SimObjectStore::Reply> SimObjectStore::call(SimNode& node, Request request) {
  // The answer slot outlives this frame: if the frame is destroyed without the node crashing
  // (an owner dropping the task), the late answer finds `abandoned` and touches nothing.
  struct Pending {
    std::optional<Reply> reply;
    std::coroutine_handle<> waiter;
    bool abandoned = false;
  };
  struct AbandonOnExit {
    Pending& pending;
    ~AbandonOnExit() { pending.abandoned = true; }
  };
  auto pending = std::make_shared<Pending>();
  AbandonOnExit guard{*pending};

  const NodeId id = node.id();
  const uint64_t incarnation = node.incarnation();
  const Upload upload = draw_upload(request);
  request.sent_ns = simulation_.now_ns();
  request.incarnation = incarnation;
  auto shared_request = std::make_shared<const Request>(std::move(request));
  // The request lands once its last byte has left the caller, even if the caller dies after
  // that (only the reply is for this incarnation); a power loss before then cuts it. Nothing
  // is sent once the power is gone.
  auto resume = [pending](Reply reply) {
    if (pending->abandoned) return;
    pending->reply.emplace(std::move(reply));
    pending->waiter.resume();
  };
  const size_t cuts_at_send = power_cuts_ns_.size();
  auto arrival = [this, id, incarnation, shared_request, resume, cuts_at_send] {
    // Lost on its way in: the store lost power since it was sent (its connection died with it).
    if (!faults_.powered || power_cuts_ns_.size() > cuts_at_send)
      return answer_cut_off(id, incarnation, resume);
    auto reply = std::make_shared<Reply>(arrive(id, *shared_request));
    const int64_t download_ns = draw_latency_ns(reply->contents.size());
    const auto bandwidth =
        static_cast<uint64_t>(std::max<int64_t>(faults_.bandwidth_bytes_per_s, 1));
    // The answer's last byte leaves the store then (the server's own moment to answer, then the
    // bytes); a power loss before that takes it.
    const int64_t out_ns = simulation_.now_ns() +
                           uniform_between(simulation_.random(), 0, faults_.min_latency_ns) +
                           static_cast<int64_t>(reply->contents.size() * 1'000'000'000 / bandwidth);
    const size_t cuts_before = power_cuts_ns_.size();
    simulation_.schedule_for_incarnation(
        simulation_.now_ns() + download_ns, id, incarnation, EventKind::kResume,
        [this, id, incarnation, cuts_before, out_ns, reply, resume] {
          if (power_cuts_ns_.size() > cuts_before && power_cuts_ns_[cuts_before] <= out_ns) {
            return answer_cut_off(id, incarnation, resume);
          }
          resume(std::move(*reply));
        });
  };
  if (!node.doomed()) {
    SimNode* sender = &node;
    const int64_t propagate_ns = upload.propagate_ns;
    simulation_.schedule_at(node.local_now_ns() + upload.transmit_ns, id, EventKind::kDelivery,
                            [this, sender, propagate_ns, arrival] {
                              if (sender->doomed()) return;  // the power went first
                              simulation_.schedule_after(Duration(propagate_ns), kNoNode,
                                                         EventKind::kDelivery, [this, arrival] {
                                                           if (!faults_.paused) return arrival();
                                                           held_.push_back(arrival);
                                                         });
                            });
  }

  struct Wait {
    Pending& pending;
    bool await_ready() noexcept { return false; }
    void await_suspend(std::coroutine_handle<> self) noexcept { pending.waiter = self; }
    void await_resume() noexcept {}
  };
  co_await Wait{*pending};
  co_return std::move(*pending->reply);
}

SimObjectStore::Reply SimObjectStore::arrive(NodeId node, const Request& request) {
  const char* op = op_name(static_cast<int>(request.op));
  if (!faults_.available) {
    simulation_.trace(node, std::string("object store unavailable: ") + op + " " + request.name);
    return Reply{Error(ErrorCode::kUnavailable, "object store unavailable"), {}, {}};
  }
  Random& random = simulation_.random();
  if (!chance(random, faults_.failure_rate)) return apply(node, request);
  const bool mutates = request.op == Op::kPut || request.op == Op::kRename ||
                       request.op == Op::kRemove || request.op == Op::kCopy;
  if (mutates && chance(random, 0.5)) {
    Reply applied = apply(node, request);
    simulation_.trace(node, std::string("object store failed after applying ") + op + " " +
                                request.name + ": " + applied.status.to_string());
  } else {
    simulation_.trace(node, std::string("object store failed ") + op + " " + request.name);
  }
  return Reply{Error(ErrorCode::kUnavailable, kFailedMessage), {}, {}};
}

void SimObjectStore::before_change() {
  if (faults_.stale_list_probability <= 0) return;
  // A stale listing shows the names from before this burst of changes (at most a second old).
  if (stale_names_taken_ns_ >= 0 && simulation_.now_ns() - stale_names_taken_ns_ <= 1'000'000'000)
    return;
  stale_names_.clear();
  for (const auto& [name, contents] : objects_) stale_names_.push_back(name);
  stale_names_taken_ns_ = simulation_.now_ns();
}

Status SimObjectStore::check_can_hold_object(const std::string& name) const {
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    if (objects_.contains(name.substr(0, slash))) {
      return Error(
          ErrorCode::kAlreadyExists,
          "object '" + name.substr(0, slash) + "' is where a folder for '" + name + "' is needed");
    }
  }
  const std::string folder = name + "/";
  auto inside = objects_.lower_bound(folder);
  if (inside != objects_.end() && inside->first.starts_with(folder)) {
    return Error(ErrorCode::kAlreadyExists, "'" + name + "' is a folder of other objects");
  }
  return Status();
}

void SimObjectStore::notify(ChangeKind kind, NodeId node, const Request& request,
                            const std::string& contents) const {
  auto target = objects_.find(request.to);
  const bool same_as_before =
      kind == ChangeKind::kCopy && target != objects_.end() && target->second == contents;
  for (const auto& watcher : watchers_) {
    watcher(Change{kind, node, request.name, request.to, contents, request.sent_ns,
                   request.incarnation, same_as_before});
  }
}

SimObjectStore::Reply SimObjectStore::apply(NodeId node, const Request& request) {
  Reply reply;
  switch (request.op) {
    case Op::kPut:
      if (!request.bucket) reply.status = check_can_hold_object(request.name);
      if (!reply.status.ok()) break;
      before_change();
      notify(ChangeKind::kPut, node, request, request.contents);
      objects_[request.name] = request.contents;
      simulation_.trace(node, "object put " + request.name + " (" +
                                  std::to_string(request.contents.size()) + " bytes)");
      break;
    case Op::kGet: {
      auto it = objects_.find(request.name);
      if (it == objects_.end()) {
        reply.status = Error(ErrorCode::kNotFound, "no object '" + request.name + "'");
      } else {
        reply.contents = it->second;
      }
      break;
    }
    case Op::kRename: {
      auto from = objects_.find(request.name);
      if (from == objects_.end()) {
        reply.status = Error(ErrorCode::kNotFound, "rename: no object '" + request.name + "'");
        break;
      }
      if (objects_.contains(request.to)) {  // never replaces (onto itself included)
        reply.status = Error(ErrorCode::kAlreadyExists, "rename: '" + request.to + "' exists");
        break;
      }
      if (reply.status = check_can_hold_object(request.to); !reply.status.ok()) break;
      before_change();
      notify(ChangeKind::kRename, node, request, from->second);
      std::string contents = std::move(from->second);
      objects_.erase(from);
      objects_[request.to] = std::move(contents);
      simulation_.trace(node, "object rename " + request.name + " to " + request.to);
      break;
    }
    case Op::kExists:
      reply.exists = objects_.contains(request.name);
      break;
    case Op::kCopy: {
      auto from = objects_.find(request.name);
      if (from == objects_.end()) {
        reply.status = Error(ErrorCode::kNotFound, "copy: no object '" + request.name + "'");
        break;
      }
      before_change();
      notify(ChangeKind::kCopy, node, request, from->second);
      std::string contents = from->second;  // (copied first: `to` may be `from`)
      objects_[request.to] = std::move(contents);
      simulation_.trace(node, "object copy " + request.name + " to " + request.to);
      break;
    }
    case Op::kRemove:
      if (auto it = objects_.find(request.name); it != objects_.end()) {
        before_change();
        notify(ChangeKind::kRemove, node, request, it->second);
        objects_.erase(it);
        simulation_.trace(node, "object remove " + request.name);
      }
      break;
    case Op::kList: {
      const std::string prefix = request.name.empty() ? std::string() : request.name + "/";
      auto directly_inside = [&prefix](const std::string& name) {
        return name.starts_with(prefix) && name.find('/', prefix.size()) == std::string::npos;
      };
      if (stale_names_taken_ns_ >= 0 &&
          chance(simulation_.random(), faults_.stale_list_probability)) {
        for (const std::string& name : stale_names_) {
          if (directly_inside(name)) reply.names.push_back(name);
        }
        simulation_.trace(node, "object list " + request.name + " answered stale");
        break;
      }
      for (auto it = objects_.lower_bound(prefix);
           it != objects_.end() && it->first.starts_with(prefix); ++it) {
        if (directly_inside(it->first)) reply.names.push_back(it->first);
      }
      break;
    }
  }
  ++applied_count_;
  return reply;
}

}  // namespace lj::sim
