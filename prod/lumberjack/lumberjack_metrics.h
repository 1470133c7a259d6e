#pragma once
// A Lumberjack node's /metrics (served by prod/http/metrics_endpoint.h): its status as
// Prometheus counters and gauges, per customer it delivers (lag, roll age) and per PoP it reads
// (up). Labels name only this node's customers and its PoPs: the series are bounded by what one
// node holds, never by the whole cluster. docs/operations.md lists them and the alert rules
// (packaging/prometheus/lumberjack-rules.yml) that use them.

#include <string>
#include <vector>

#include "prod/lumberjack/lumberjack_node.h"

namespace lj::lumberjack {

std::string render_metrics(const LumberjackStatus& status,
                           const std::vector<CustomerProgress>& customers);

}  // namespace lj::lumberjack
