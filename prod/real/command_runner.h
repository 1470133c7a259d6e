#pragma once
// Runs an external program (no shell) from the event loop without blocking it: the child is
// started with posix_spawn and polled with waitpid(WNOHANG) every few milliseconds of `clock`.
// The daemon asks nginx to reload this way (`nginx -s reload -p PREFIX -c CONF`).

#include <functional>
#include <string>
#include <vector>

#include "prod/io/clock.h"
#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

// ok if the program exits with status 0. Otherwise kUnavailable with its exit status and the
// first few KiB of what it wrote (stdout and stderr), or kTimedOut (it is killed) or
// kNotFound (it could not be started). REQUIRES: argv is not empty.
Task<Status> run_command(Clock& clock, std::vector<std::string> argv, Duration timeout);

// A reload request for the nginx running with `prefix` and `conf`: runs
// `<nginx_binary> -s reload -p <prefix> -c <conf>` (nginx signals its master, which loads the
// new configuration and lets the old workers finish the requests in progress).
std::function<Task<Status>()> nginx_reloader(Clock& clock, std::string nginx_binary,
                                             std::string prefix, std::string conf);

}  // namespace lj
