#pragma once
// GracelandServer: the per-PoP collector's network face. Proxies send batches of events; each
// batch is acknowledged only once all its events are durable. Lumberjack lists customers and
// reads their events by position.
//
// Group commit: connections append their batches to the store and wait; one committer runs
// store.sync() for everything appended so far, then wakes them all. A thousand proxies cost
// one fsync per commit round, not one per event.
//
// Nothing unacknowledged is promised: if a sync fails, every batch it covered gets an error
// (the proxy retries, perhaps at another PoP), and the store moves on to new segments.
// Bad input (a malformed frame, a bad checksum, an unknown version, an undecodable event,
// account 0) gets a kError naming the problem, and the connection closes; batches already
// acknowledged are untouched.
//
// Authentication (require_peer_identity): every client must have proved who it is (mutual
// TLS: the listener's connections carry a PeerIdentity), and may do only what its role allows
// (prod/graceland/peer_grant.h): proxies send their own streams, Lumberjack nodes and operators
// list and read. A refusal is a kError (kPermissionDenied) naming why; nothing of a refused
// batch is stored.
//
// Room: a batch that would pass an account's quota or the store's high-water mark (its maximum
// bytes, the disk's reserve: SegmentStoreOptions) is refused whole before any of it is stored,
// with kResourceExhausted naming the limit; the proxy keeps its events and retries, later or at
// another PoP. Refusals are counted and logged at most once per refusal_log_interval.

#include <functional>
#include <memory>
#include <string>

#include "prod/graceland/client_connections.h"
#include "prod/graceland/peer_grant.h"
#include "prod/graceland/read_many.h"
#include "prod/graceland/request_checks.h"
#include "prod/graceland/segment_store.h"
#include "prod/io/call_watchdog.h"
#include "prod/io/env.h"
#include "prod/io/log.h"
#include "prod/io/notifier.h"

namespace lj::graceland {

struct GracelandOptions {
  std::string pop = "pop";
  std::string listen_address = "127.0.0.1:0";
  SegmentStoreOptions store;
  uint32_t max_read_bytes = 4u << 20;
  size_t max_connections = 4096;
  // Connections that have not yet finished their hello (the TLS handshake included): a flood
  // of idle or slow sockets holds these slots, never the established proxies'. Each has
  // `hello_timeout` to say who it is.
  size_t max_unidentified_connections = 256;
  Duration hello_timeout = std::chrono::seconds(10);
  // A proxy certificate holds at most this many connections per proxy id it names: one stolen
  // or misbehaving certificate cannot take every slot (client_connections.h; Lumberjack nodes,
  // which hold one per customer, are not capped per client).
  size_t max_connections_per_proxy_id = 8;
  // A connection that sends no whole request, or takes no answer, within this is closed.
  Duration idle_timeout = std::chrono::seconds(120);
  Duration retention_interval = std::chrono::seconds(60);  // how often expired segments go
  // Batches refused for room are logged at most once per this (with how many since).
  Duration refusal_log_interval = std::chrono::seconds(10);
  // Off only where nobody untrusted can reach the port (benchmarks, a developer's machine).
  bool require_peer_identity = false;
  LogSink log;  // one line per notable event; may be empty
};

struct GracelandStats {
  uint64_t connections_accepted = 0;  // served: past the connection caps
  uint64_t batches_acked = 0;
  uint64_t events_acked = 0;
  uint64_t bytes_acked = 0;  // the acknowledged events' records
  // Reads answered with records (or none: the reader is at the end), a kRead each and each
  // entry of a kReadMany the server read; and what they carried.
  uint64_t reads_served = 0;
  uint64_t records_read = 0;
  uint64_t bytes_read = 0;
  uint64_t commits = 0;  // fsync rounds
  uint64_t rejected_frames = 0;
  uint64_t refused_requests = 0;     // a client without an identity, or asking beyond its role
  uint64_t refused_connections = 0;  // over a connection cap (all, unidentified, or one proxy's)
  uint64_t refused_batches = 0;      // over a quota or the high-water mark: nothing stored, retried
  uint64_t failed_commits = 0;
  uint64_t damaged_segments = 0;  // found by recovery: records follow one that fails its checksum
  uint64_t damaged_reads_refused = 0;  // reads that reached damage: refused, never skipped past
  Duration commit_time{0};             // monotonic time spent inside commits (fsync rounds)
};

class GracelandServer {
 public:
  // Recovers the store, listens, and starts serving on env.executor.
  static Task<Result<std::unique_ptr<GracelandServer>>> start(Env env, GracelandOptions options);
  ~GracelandServer();

  std::string address() const { return address_; }
  const GracelandStats& stats() const { return stats_; }
  size_t open_connections() const { return connections_; }
  const SegmentStore& store() const { return *store_; }
  // The store's file system's free bytes now (SegmentStore::free_bytes).
  Result<uint64_t> disk_free_bytes() { return store_->free_bytes(); }
  // Stops accepting; connections end at their next message. Pending commits still finish.
  void stop();

 private:
  GracelandServer(Env env, GracelandOptions options, std::unique_ptr<SegmentStore> store,
                  std::unique_ptr<Listener> listener);
  Task<void> accept_loop();
  Task<void> serve(std::unique_ptr<Connection> connection);
  // Serving one connection (graceland_server.cc): each step's false ends it.
  struct Served;
  Task<bool> greet(Served& served);
  Task<bool> answer(Served& served, const DecidedRequest& request);
  Task<bool> answer_batch(Served& served, const ValidatedBatch& batch);
  Task<bool> answer_read(Served& served, const ReadRequest& read);
  Task<void> reject(Served& served, const Error& error);
  Task<void> committer();
  Task<void> retention();
  // Appends a validated batch's events; returns after they are durable, or with the error that
  // stops it.
  Task<Status> store_batch(const ValidatedBatch& batch);
  // One entry per read, in order, until the records reach the request's budget (read_many.h).
  ReadManyReply read_many(const ReadManyRequest& request);
  // A store read refused as damaged is counted and raised as an alarm.
  void note_read_failure(const Error& error);
  void note_read(const ReadBatch& batch);
  class BoundedPeer;
  void log(LogLevel level, const std::string& line);
  void log_refusal(const std::string& peer, const Error& error);  // rate-limited

  Env env_;
  GracelandOptions options_;
  std::unique_ptr<SegmentStore> store_;
  std::unique_ptr<Listener> listener_;
  std::string address_;
  GracelandStats stats_;
  size_t connections_ = 0;
  size_t unidentified_ = 0;  // connections still before their hello's end
  ClientConnections client_connections_;
  bool stopped_ = false;
  bool refusal_logged_ = false;
  Duration last_refusal_log_{0};
  uint64_t refusals_unlogged_ = 0;

  // Group commit state. Generations count append rounds; a batch appended in generation g is
  // durable once durable_generation_ >= g, and failed if failed_generation_ >= g first.
  uint64_t appended_generation_ = 0;
  uint64_t durable_generation_ = 0;
  uint64_t failed_generation_ = 0;
  Status last_failure_;
  Notifier commit_wanted_;
  Notifier commit_done_;
};

}  // namespace lj::graceland
