#include "sim/scenarios/isolated_run.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace lj::sim {

namespace {

// The child's stderr and its result share one pipe: whatever it printed, then this marker,
// then the result's fields, each as "<length>\n<bytes>".
constexpr std::string_view kMarker = "\n\x01lj-sim result\x01\n";

void put_field(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += '\n';
  out += field;
}

bool take_field(std::string_view& in, std::string& field) {
  const size_t newline = in.find('\n');
  if (newline == std::string_view::npos) return false;
  const size_t length = std::strtoull(std::string(in.substr(0, newline)).c_str(), nullptr, 10);
  if (in.size() - newline - 1 < length) return false;
  field = std::string(in.substr(newline + 1, length));
  in.remove_prefix(newline + 1 + length);
  return true;
}

std::string encode(const RunResult& result) {
  std::string out;
  put_field(out, result.ok ? "1" : "0");
  put_field(out, result.failure);
  put_field(out, std::to_string(result.trace_hash));
  put_field(out, std::to_string(result.sim_events));
  put_field(out, std::to_string(result.virtual_ns));
  put_field(out, result.summary);
  put_field(out, result.schedule);
  put_field(out, std::to_string(result.liveness_ratio));
  for (const auto& [what, count] : result.coverage) {
    put_field(out, what);
    put_field(out, std::to_string(count));
  }
  return out;
}

bool decode(std::string_view in, RunResult& result) {
  std::string ok, hash, events, virtual_ns, ratio;
  if (!take_field(in, ok) || !take_field(in, result.failure) || !take_field(in, hash) ||
      !take_field(in, events) || !take_field(in, virtual_ns) || !take_field(in, result.summary) ||
      !take_field(in, result.schedule) || !take_field(in, ratio)) {
    return false;
  }
  result.liveness_ratio = std::stod(ratio);
  result.ok = ok == "1";
  result.trace_hash = std::stoull(hash);
  result.sim_events = std::stoull(events);
  result.virtual_ns = std::stoll(virtual_ns);
  std::string what, count;
  while (!in.empty()) {
    if (!take_field(in, what) || !take_field(in, count)) return false;
    result.coverage[what] = std::stoull(count);
  }
  return true;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// The last lines of what a crashed child printed: its invariant's expression, file:line, seed
// and virtual time.
std::string tail_of(const std::string& printed) {
  std::string text = printed;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t from = text.size() > 600 ? text.size() - 600 : 0;
  return text.substr(from);
}

}  // namespace

RunResult run_isolated(const RunRequest& request) {
  int fds[2];
  if (::pipe(fds) != 0) return run_one(request);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return run_one(request);
  }
  if (child == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    const RunResult result = run_one(request);
    std::fflush(stderr);
    write_all(fds[1], kMarker);
    write_all(fds[1], encode(result));
    std::fflush(stdout);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string received;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  pid_t waited = -1;
  do {
    waited = ::waitpid(child, &status, 0);
  } while (waited < 0 && errno == EINTR);
  const size_t marker = received.find(kMarker);
  const std::string printed = received.substr(0, marker);
  if (!printed.empty()) std::fputs(printed.c_str(), stderr);
  RunResult result;
  if (waited == child && marker != std::string::npos && WIFEXITED(status) &&
      WEXITSTATUS(status) == 0 &&
      decode(std::string_view(received).substr(marker + kMarker.size()), result)) {
    return result;
  }
  result = RunResult{};
  result.ok = false;
  std::string how = WIFSIGNALED(status) ? std::string("killed by ") + ::strsignal(WTERMSIG(status))
                                        : "exited " + std::to_string(WEXITSTATUS(status));
  if (waited != child) how = "its end was never seen: " + std::string(::strerror(errno));
  result.failure =
      "the run crashed (" + how + ")" + (printed.empty() ? "" : ": " + tail_of(printed));
  return result;
}

}  // namespace lj::sim
