#pragma once
// For tests' helpers that start real servers (LocalNginxDav, LocalSshd): runs `command` with
// /bin/sh and returns what it wrote on stdout (empty if it could not run). Blocking; never used
// by the daemons, which start programs through run_command (command_runner.h).

#include <string>

namespace lj {

std::string command_output(const std::string& command);

}  // namespace lj
