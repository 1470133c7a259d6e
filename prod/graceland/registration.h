#pragma once
// Graceland discovery: each Graceland keeps an ephemeral node <root>/gracelands/<pop> holding
// its address, so Lumberjack workers find every PoP (LumberjackNode reads them) and a PoP
// whose process or session died drops out by itself. After its session expires the
// registration is made again on a new one; a node left by a previous process of the same PoP
// is waited out (it goes when that process's session expires). (Where: the cluster's
// ZooKeeper layout, zk_layout.h, a header only: Graceland links nothing of Lumberjack.)

#include <functional>
#include <string>
#include <string_view>

#include "prod/io/clock.h"
#include "prod/io/coordinator.h"
#include "prod/io/log.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::graceland {

// Runs until `stop` becomes true. `log` receives one line per change of registration.
Task<void> keep_graceland_registered(Coordinator& coordinator, Clock& clock,
                                     lumberjack::ZkLayout layout, std::string pop,
                                     std::string address, const bool& stop, LogSink log);

}  // namespace lj::graceland
