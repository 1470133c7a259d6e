#pragma once
// A Lumberjack node's /metrics (served by prod/http/metrics_endpoint.h): its status as
// Prometheus counters and gauges. docs/operations.md lists them.

#include <string>

#include "prod/lumberjack/lumberjack_node.h"

namespace lj::lumberjack {

std::string render_metrics(const LumberjackStatus& status);

}  // namespace lj::lumberjack
