#pragma once
// Removing a customer (`lj ctl remove`). Its node goes, and in the same transaction its
// checkpoint is rewritten unchanged (or created empty if it has none), so the checkpoint's
// version moves on: every commit still in flight - by a pipeline started before, however long
// it was held up - fails its compare-and-set. The check of the customer's node in every commit
// does not suffice alone: a customer added again at once has a new node, whose version starts
// at 0 again, like the one the old pipeline checks. The master then drops the assignment; a
// later `lj ctl add` of the account continues from the checkpoint (nothing delivered twice).

#include <cstdint>

#include "prod/io/coordinator.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

// kNotFound if there is no such customer (or a removal whose reply was lost took it already).
Task<Status> remove_customer(CoordinatorSession& session, const ZkLayout& layout, uint64_t account);

}  // namespace lj::lumberjack
