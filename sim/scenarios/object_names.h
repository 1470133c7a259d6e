#pragma once
// What the checker's monitors make of a central-storage object's name.

#include <optional>
#include <string>

#include "prod/logfile/log_file_format.h"

namespace lj::sim {

// "staging/...": an upload not yet published.
bool is_staging(const std::string& name);

// "<account>_<config>/<account>_<seq>.log": a customer's published file; nullopt otherwise.
std::optional<LogFileName> published_file(const std::string& name);

}  // namespace lj::sim
