#pragma once
// GracelandClient: one connection to a Graceland, for proxies (send_batch) and Lumberjack
// (list, read). Any error leaves the connection unusable: reconnect with connect().
// Every call, the hello included, ends within `call_timeout`: a Graceland that is paused,
// powered off or behind a black-holed link answers kTimedOut, never a wait without end
// (prod/io/call_watchdog.h).

#include <memory>
#include <string>
#include <vector>

#include "prod/graceland/read_many.h"
#include "prod/graceland/segment_store.h"
#include "prod/graceland/wire.h"
#include "prod/io/call_watchdog.h"
#include "prod/io/env.h"
#include "prod/io/network.h"

namespace lj::graceland {

class GracelandClient {
 public:
  // A read answers within milliseconds on a healthy PoP, and a batch's fsync within tens.
  static constexpr Duration kDefaultCallTimeout = std::chrono::seconds(10);
  // A server that proves an identity (a TLS certificate) must prove a Graceland's, and that of
  // PoP `expected_pop` unless it is empty: else kPermissionDenied, before anything is sent.
  // (A reader that took another PoP's Graceland for this one would deliver what it serves as
  // this PoP's: a rogue registration in ZooKeeper must not be able to do that.)
  static Task<Result<std::unique_ptr<GracelandClient>>> connect(
      const Env& env, const std::string& address, const std::string& client_name,
      Duration call_timeout = kDefaultCallTimeout, std::string expected_pop = {});
  // Sends encoded event records as one batch; ok once Graceland says all are durable.
  Task<Status> send_batch(uint64_t batch_id, const std::vector<std::string>& records);
  // The store's id and its customers' extents.
  Task<Result<ListReply>> list();
  // The batch names the store it came from (store_id): positions mean nothing in another.
  Task<Result<ReadBatch>> read(const std::string& account, Position from, uint32_t max_bytes);
  // Many accounts in one round trip (read_many.h): one entry per read, in order.
  Task<Result<ReadManyReply>> read_many(const ReadManyRequest& request);
  void close() { connection_->close(); }

 private:
  GracelandClient(const Env& env, std::unique_ptr<Connection> connection, Duration call_timeout)
      : connection_(std::move(connection)),
        watchdog_(env.executor, env.clock, call_timeout, *connection_) {}
  // Sends a frame and returns the reply body, turning a kError reply into its Error.
  Task<Result<std::string>> call(const std::string& frame);
  Task<Result<std::string>> exchange(const std::string& frame);  // call() without the deadline
  std::unique_ptr<Connection> connection_;
  CallWatchdog watchdog_;
};

}  // namespace lj::graceland
