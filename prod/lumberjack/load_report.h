#pragma once
// A worker's load report: the events/s it measured for each customer it runs, kept in its
// ephemeral node <root>/loads/<worker id> for the master to balance by (AssignmentPlan).
// Text, one customer per line: "<account> <events/s>\n", accounts ascending, rates with at
// most one decimal. Written by a Lumberjack only (ZooKeeper's ACLs), still decoded as hostile:
// anything malformed is an error naming the line, and the master then ignores the report.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "prod/io/result.h"

namespace lj::lumberjack {

using LoadReport = std::map<uint64_t, double>;  // account -> events/s

inline constexpr size_t kMaxLoadReportBytes = 512 * 1024;  // ~20k customers; ZooKeeper takes 1 MB

std::string encode_load_report(const LoadReport& report);
Result<LoadReport> decode_load_report(std::string_view text);

}  // namespace lj::lumberjack
