#pragma once
// GracelandClient: one connection to a Graceland, for proxies (send_batch) and Lumberjack
// (list, read). Any error leaves the connection unusable: reconnect with connect().

#include <memory>
#include <string>
#include <vector>

#include "prod/graceland/segment_store.h"
#include "prod/graceland/wire.h"
#include "prod/io/network.h"

namespace lj::graceland {

class GracelandClient {
 public:
  static Task<Result<std::unique_ptr<GracelandClient>>> connect(Network& network,
                                                                const std::string& address,
                                                                const std::string& client_name);
  // Sends encoded event records as one batch; ok once Graceland says all are durable.
  Task<Status> send_batch(uint64_t batch_id, const std::vector<std::string>& records);
  // The store's id and its customers' extents.
  Task<Result<ListReply>> list();
  // The batch names the store it came from (store_id): positions mean nothing in another.
  Task<Result<ReadBatch>> read(const std::string& account, Position from, uint32_t max_bytes);
  void close() { connection_->close(); }

 private:
  explicit GracelandClient(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)) {}
  // Sends a frame and returns the reply body, turning a kError reply into its Error.
  Task<Result<std::string>> call(const std::string& frame);
  std::unique_ptr<Connection> connection_;
};

}  // namespace lj::graceland
