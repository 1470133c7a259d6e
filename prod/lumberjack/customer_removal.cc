#include "prod/lumberjack/customer_removal.h"

#include <string>
#include <vector>

#include "prod/lumberjack/checkpoint.h"

namespace lj::lumberjack {

Task<Status> remove_customer(CoordinatorSession& session, const ZkLayout& layout,
                             uint64_t account) {
  const std::string customer = layout.customer(std::to_string(account));
  const std::string checkpoint = layout.checkpoint(std::to_string(account));
  const std::string checkpoints = layout.checkpoints();
  if (Status s = co_await create_path(session, checkpoints); !s.ok()) co_return s;
  // A commit or a first checkpoint landing between the read and the transaction fails it: read
  // again.
  for (int attempt = 0; attempt < 10; ++attempt) {
    Result<NodeData> current = co_await session.get(checkpoint);
    if (!current.ok() && current.code() != ErrorCode::kNotFound) co_return current.status();
    std::vector<CoordinatorOp> ops;
    ops.push_back(RemoveOp{customer, kAnyVersion});
    if (current.ok()) {
      ops.push_back(SetOp{checkpoint, current->data, current->version});
    } else {
      ops.push_back(CreateOp{checkpoint, Checkpoint{}.encode(), NodeMode::kPersistent});
    }
    Result<MultiResult> removed = co_await session.multi(ops);
    if (removed.ok()) co_return Status();
    const ErrorCode code = removed.code();
    if (code != ErrorCode::kVersionMismatch && code != ErrorCode::kAlreadyExists)
      co_return removed.status();
  }
  co_return Error(ErrorCode::kUnavailable, "customer " + std::to_string(account) +
                                               ": its checkpoint kept changing; try again");
}

}  // namespace lj::lumberjack
