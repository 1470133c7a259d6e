#pragma once
// Log levels, and the sink production code logs through: the daemons write each line as
// logfmt with its `level=` (and drop those below --log-level); the simulator traces them all.
//   kError: data or delivery at risk and someone must look - an ALARM (a published file that
//           differs from its commit, a damaged segment, a file expired before it was pushed),
//           a PoP's store lost, a customer that cannot be delivered.
//   kWarn:  the system handles it, but it is a fault or costs data's timeliness - fenced, a
//           session over, a PoP refusing batches for room, a file written again, a push failing.
//   kInfo:  what it is doing - assignments, files committed, pushes started.
//   kDebug: detail for whoever chases a bug.

#include <functional>
#include <optional>
#include <string_view>

namespace lj {

enum class LogLevel { kError, kWarn, kInfo, kDebug };  // the lower, the more severe

using LogSink = std::function<void(LogLevel, std::string_view)>;

const char* log_level_name(LogLevel level);  // "error", "warn", "info", "debug"
std::optional<LogLevel> parse_log_level(std::string_view name);

}  // namespace lj
