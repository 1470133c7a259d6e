#include "prod/graceland/graceland_server.h"

#include <algorithm>

#include "prod/event/event_record.h"
#include "prod/graceland/request_checks.h"
#include "prod/graceland/segment_format.h"
#include "prod/graceland/wire.h"
#include "prod/io/invariant.h"
#include "prod/io/planted.h"

namespace lj::graceland {

// A record the wire accepts is one the store accepts: a batch is refused whole at the door,
// never half-appended and then retried for ever.
static_assert(kEventRecordHeaderBytes + kDefaultMaxEventPayloadBytes <= kMaxSegmentPayloadBytes);

GracelandServer::GracelandServer(Env env, GracelandOptions options,
                                 std::unique_ptr<SegmentStore> store,
                                 std::unique_ptr<Listener> listener)
    : env_(env),
      options_(std::move(options)),
      store_(std::move(store)),
      listener_(std::move(listener)),
      address_(listener_->address()),
      client_connections_(options_.max_connections_per_proxy_id),
      commit_wanted_(env.executor),
      commit_done_(env.executor) {}

GracelandServer::~GracelandServer() = default;

Task<Result<std::unique_ptr<GracelandServer>>> GracelandServer::start(Env env,
                                                                      GracelandOptions options) {
  Result<std::unique_ptr<SegmentStore>> store = co_await SegmentStore::open(env, options.store);
  if (!store.ok()) co_return store.error();
  Result<std::unique_ptr<Listener>> listener = env.network.listen(options.listen_address);
  if (!listener.ok()) co_return listener.error();
  std::unique_ptr<GracelandServer> server(
      new GracelandServer(env, std::move(options), std::move(*store), std::move(*listener)));
  env.executor.spawn(server->accept_loop());
  env.executor.spawn(server->committer());
  env.executor.spawn(server->retention());
  server->log(LogLevel::kInfo, "graceland " + server->options_.pop + " listening on " +
                                   server->address_ + ", store " +
                                   store_id_text(server->store_->store_id()));
  for (const std::string& damage : server->store_->damage()) {
    ++server->stats_.damaged_segments;
    server->log(LogLevel::kError, "ALARM damaged segment (not served past the damage): " + damage);
  }
  co_return server;
}

void GracelandServer::stop() {
  stopped_ = true;
  listener_->close();
}

void GracelandServer::log(LogLevel level, const std::string& line) {
  if (options_.log) options_.log(level, line);
}

void GracelandServer::log_refusal(const std::string& peer, const Error& error) {
  ++refusals_unlogged_;
  const Duration now = env_.clock.monotonic_now();
  if (refusal_logged_ && now - last_refusal_log_ < options_.refusal_log_interval) return;
  log(LogLevel::kWarn, "refused a batch from " + peer + ": " + error.to_string() + " (" +
                           std::to_string(refusals_unlogged_) +
                           " batches refused for room since the last such line)");
  refusal_logged_ = true;
  last_refusal_log_ = now;
  refusals_unlogged_ = 0;
}

Task<void> GracelandServer::accept_loop() {
  while (!stopped_) {
    Result<std::unique_ptr<Connection>> connection = co_await listener_->accept();
    if (!connection.ok()) {
      if (connection.code() == ErrorCode::kCancelled) co_return;
      continue;
    }
    if (connections_ >= options_.max_connections ||
        unidentified_ >= options_.max_unidentified_connections) {
      // Over a cap: closed at once, unread and unanswered. An answer would cost what the cap
      // protects (over TLS, a handshake: memory and a descriptor held until the client's
      // deadline), and a flood would hold them all. The proxy retries later or elsewhere.
      ++stats_.refused_connections;
      (*connection)->close();
      continue;
    }
    ++stats_.connections_accepted;
    env_.executor.spawn(serve(std::move(*connection)));
  }
}

Task<void> GracelandServer::committer() {
  for (;;) {
    while (appended_generation_ == durable_generation_) {
      co_await commit_wanted_.wait();
    }
    const uint64_t target = appended_generation_;
    // Crash point: batches appended, not yet fsynced - none may have been acknowledged.
    co_await crash_point(env_, "crash.graceland.before-sync");
    const Duration began = env_.clock.monotonic_now();
    Status status = co_await store_->sync();
    stats_.commit_time += env_.clock.monotonic_now() - began;
    ++stats_.commits;
    if (status.ok()) {
      // Crash point: durable, not yet acknowledged - the proxies send these again elsewhere.
      co_await crash_point(env_, "crash.graceland.before-ack");
      durable_generation_ = target;
    } else if (LJ_PLANTED(kAckFailedSync)) {
      durable_generation_ = target;  // the planted bug: a failed fsync taken for a good one
    } else {
      ++stats_.failed_commits;
      failed_generation_ = target;
      durable_generation_ = std::max(durable_generation_, failed_generation_);
      last_failure_ = status;
      log(LogLevel::kError, "commit failed: " + status.to_string());
    }
    commit_done_.notify_all();
  }
}

Task<void> GracelandServer::retention() {
  while (!stopped_) {
    co_await env_.clock.sleep_for(options_.retention_interval);
    if (Status s = co_await store_->remove_expired(); !s.ok())
      log(LogLevel::kWarn, "retention: " + s.to_string());
  }
}

Task<Status> GracelandServer::store_batch(const ValidatedBatch& batch) {
  // Validated whole before any of it is stored (request_checks.h): a batch is all or nothing.
  std::vector<PendingAppend> events;
  events.reserve(batch.events.size());
  for (const auto& [account, record] : batch.events) {
    events.push_back(PendingAppend{account, std::as_bytes(std::span(record))});
  }
  // Room for all of it (quotas, the disk's high-water mark), judged before any of it is stored.
  if (Status room = store_->admit(events); !room.ok()) co_return room;
  for (const PendingAppend& event : events) {
    Result<Position> stored = store_->append(event.account, event.payload);
    if (!stored.ok()) {
      // Admitted just above, with nothing in between: only the disk can fail it now.
      LJ_ASSERT(stored.code() != ErrorCode::kResourceExhausted);
      // Records already appended stay (unacknowledged); the proxy will resend them.
      co_return stored.status();
    }
  }
  const uint64_t generation = ++appended_generation_;
  commit_wanted_.notify_all();
  if (LJ_PLANTED(kAckBeforeFsync)) co_return Status();
  while (durable_generation_ < generation) co_await commit_done_.wait();
  if (failed_generation_ >= generation) co_return last_failure_;
  co_return Status();
}

// A client's connection as the server sees it: waiting for a request and writing an answer
// each end by `idle_timeout`, so a client that vanished without a word (a power loss, a
// black-holed link) or stopped reading holds no connection slot for ever.
class GracelandServer::BoundedPeer {
 public:
  BoundedPeer(const Env& env, Duration idle_timeout, Connection& connection)
      : connection_(connection), watchdog_(env.executor, env.clock, idle_timeout, connection) {}

  // The first request, within `timeout` (shorter than the idle deadline: a client that has not
  // said who it is holds an unidentified slot).
  Task<Result<std::string>> hello(const Env& env, Duration timeout) {
    CallWatchdog first(env.executor, env.clock, timeout, connection_);
    first.begin_call();
    Result<std::string> frame = co_await read_frame(connection_);
    first.end_call();
    co_return frame;
  }
  Task<Result<std::string>> next_request() {
    watchdog_.begin_call();
    Result<std::string> frame = co_await read_frame(connection_);
    watchdog_.end_call();
    co_return frame;
  }
  Task<Status> answer(const std::string& frame) {
    watchdog_.begin_call();
    Status written = co_await write_all(connection_, std::as_bytes(std::span(frame)));
    watchdog_.end_call();
    co_return written;
  }

 private:
  Connection& connection_;
  CallWatchdog watchdog_;
};

namespace {

// A connection slot, given back however the connection ends (a frame destroyed at a crash
// included). Built in place: a moved-from one would give its slot back too.
struct SlotRelease {
  explicit SlotRelease(size_t& slots) : count(slots) { ++count; }
  SlotRelease(const SlotRelease&) = delete;
  SlotRelease& operator=(const SlotRelease&) = delete;
  ~SlotRelease() {
    LJ_ASSERT(count > 0);
    --count;
  }
  size_t& count;
};

}  // namespace

// One connection being served: who it is, its deadlines, its slots, and what it may do.
struct GracelandServer::Served {
  Served(Connection& c, BoundedPeer& b, size_t& unidentified)
      : connection(c), bounded(b), peer(c.peer_address()) {
    unidentified_slot.emplace(unidentified);
  }
  Connection& connection;
  BoundedPeer& bounded;
  const std::string peer;
  std::optional<SlotRelease> unidentified_slot;  // until its hello is accepted
  std::optional<ClientConnections::Slot> client_slot;
  uint16_t version = 0;                  // the conversation's: the client's
  PeerGrant grant = grant_everything();  // narrowed to the peer's role when authentication is on
};

Task<void> GracelandServer::reject(Served& served, const Error& error) {
  ++stats_.rejected_frames;
  if (error.code() == ErrorCode::kPermissionDenied) ++stats_.refused_requests;
  log(LogLevel::kWarn, "rejected " + served.peer + ": " + error.to_string());
  (void)co_await served.bounded.answer(error_frame(error.code(), error.message()));
  served.connection.close();
}

// The hello: its version accepted, the peer's identity granted a role (when authentication is
// on), and a slot among its client's connections; then hello-ok. False: the connection ends.
Task<bool> GracelandServer::greet(Served& served) {
  Result<std::string> hello = co_await served.bounded.hello(env_, options_.hello_timeout);
  if (!hello.ok()) {
    // (Over TLS the handshake runs in this first read: a refused certificate shows here.)
    if (hello.code() == ErrorCode::kPermissionDenied) {
      ++stats_.refused_requests;
      log(LogLevel::kWarn, "refused " + served.peer + ": " + hello.error().to_string());
    }
    co_return false;
  }
  Result<uint16_t> asked = accept_hello(*hello);
  if (!asked.ok()) {
    co_await reject(served, asked.error());
    co_return false;
  }
  served.version = *asked;
  if (options_.require_peer_identity) {
    Result<PeerGrant> granted = grant_for(served.connection.peer_identity());
    if (!granted.ok()) {
      co_await reject(served, granted.error());
      co_return false;
    }
    served.grant = std::move(*granted);
  }
  // Identified: its slot moves from the unidentified pool to its client's count.
  served.unidentified_slot.reset();
  std::optional<ClientConnections::Slot> admitted = client_connections_.admit(served.grant);
  if (admitted) served.client_slot.emplace(std::move(*admitted));  // (moved-from counts nothing)
  if (!served.client_slot) {
    ++stats_.refused_connections;
    co_await reject(served, Error(ErrorCode::kUnavailable,
                                  "too many connections from " + served.grant.who + " (" +
                                      std::to_string(client_connections_.cap(served.grant)) + ")"));
    co_return false;
  }
  const std::string hello_ok = MessageWriter(MessageType::kHelloOk).u16(served.version).frame();
  const Status answered = co_await served.bounded.answer(hello_ok);
  co_return answered.ok();
}

// A batch: stored durably, then acknowledged. False: the connection ends.
Task<bool> GracelandServer::answer_batch(Served& served, const ValidatedBatch& batch) {
  const auto count = static_cast<uint32_t>(batch.events.size());
  Status stored = co_await store_batch(batch);
  if (!stored.ok() && stored.code() == ErrorCode::kResourceExhausted) {
    // Refused whole, nothing stored: the proxy keeps the events and retries, later or at
    // another PoP. Not a bad frame, and a flood of them must not flood the log.
    ++stats_.refused_batches;
    log_refusal(served.peer, stored.error());
    (void)co_await served.bounded.answer(error_frame(stored.code(), stored.error().message()));
    served.connection.close();
    co_return false;
  }
  if (!stored.ok()) {
    co_await reject(served, stored.error());
    co_return false;
  }
  ++stats_.batches_acked;
  stats_.events_acked += count;
  for (const auto& [account, record] : batch.events) stats_.bytes_acked += record.size();
  const Status answered = co_await served.bounded.answer(
      MessageWriter(MessageType::kAck).u64(batch.batch_id).u32(count).frame());
  if (!answered.ok()) co_return false;
  // Crash point: acknowledged, perhaps not yet read by anyone - it must survive this.
  co_await crash_point(env_, "crash.graceland.after-ack");
  co_return true;
}

// A read of one account, within the server's read budget. False: the connection ends.
Task<bool> GracelandServer::answer_read(Served& served, const ReadRequest& read) {
  const uint32_t max_bytes = std::min(read.max_bytes, options_.max_read_bytes);
  Result<ReadBatch> batch = store_->read(read.account, read.from, max_bytes);
  if (!batch.ok()) {
    note_read_failure(batch.error());
    co_await reject(served, batch.error());
    co_return false;
  }
  note_read(*batch);
  const Status answered = co_await served.bounded.answer(encode_read_reply(served.version, *batch));
  co_return answered.ok();
}

// One request its grant allows. False: the connection ends.
Task<bool> GracelandServer::answer(Served& served, const DecidedRequest& request) {
  std::string reply;
  switch (request.type) {
    case MessageType::kBatch: {
      const bool more = co_await answer_batch(served, request.batch);
      co_return more;
    }
    case MessageType::kRead: {
      const bool more = co_await answer_read(served, request.read);
      co_return more;
    }
    case MessageType::kList:
      reply = encode_list_reply(served.version, store_->store_id(), store_->accounts());
      break;
    case MessageType::kReadMany:
      reply = encode_read_many_reply(read_many(request.read_many));
      break;
    default:
      LJ_ASSERT(false);  // decide_request refuses every other type
      co_return false;
  }
  const Status answered = co_await served.bounded.answer(reply);
  co_return answered.ok();
}

Task<void> GracelandServer::serve(std::unique_ptr<Connection> connection) {
  const SlotRelease connection_slot(connections_);
  BoundedPeer bounded(env_, options_.idle_timeout, *connection);
  Served served(*connection, bounded, unidentified_);
  const bool greeted = co_await greet(served);
  if (!greeted) co_return;
  while (!stopped_) {
    Result<std::string> body = co_await bounded.next_request();
    if (!body.ok()) {
      if (body.code() == ErrorCode::kCorrupt || body.code() == ErrorCode::kTooLarge)
        co_await reject(served, body.error());
      co_return;
    }
    Result<DecidedRequest> request = decide_request(served.grant, *body);
    if (!request.ok()) {
      co_await reject(served, request.error());
      co_return;
    }
    const bool more = co_await answer(served, *request);
    if (!more) co_return;
  }
}

ReadManyReply GracelandServer::read_many(const ReadManyRequest& request) {
  ReadManyReply reply;
  reply.store_id = store_->store_id();
  reply.entries.resize(request.reads.size());
  uint64_t spent = 0;
  for (size_t i = 0; i < request.reads.size() && spent < request.reply_budget; ++i) {
    const ReadRequest& read = request.reads[i];
    const uint64_t max_bytes =
        std::min<uint64_t>({read.max_bytes, options_.max_read_bytes, request.reply_budget - spent});
    Result<ReadBatch> batch = store_->read(read.account, read.from, max_bytes);
    ReadManyEntry& entry = reply.entries[i];
    if (!batch.ok()) {
      note_read_failure(batch.error());
      entry.outcome = ReadManyOutcome::kFailed;
      entry.error = batch.error();
      continue;
    }
    for (const std::string& record : batch->records) spent += record.size();
    note_read(*batch);
    entry.outcome = ReadManyOutcome::kBatch;
    entry.batch = std::move(*batch);
  }
  // Entries past the budget stay kNotRead: the reader asks for them again.
  return reply;
}

void GracelandServer::note_read(const ReadBatch& batch) {
  ++stats_.reads_served;
  stats_.records_read += batch.records.size();
  for (const std::string& record : batch.records) stats_.bytes_read += record.size();
}

void GracelandServer::note_read_failure(const Error& error) {
  if (error.code() != ErrorCode::kCorrupt) return;
  ++stats_.damaged_reads_refused;
  log(LogLevel::kError, "ALARM " + error.message());
}

}  // namespace lj::graceland
