#include "prod/real/command_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "prod/io/invariant.h"

extern char** environ;

namespace lj {

namespace {

constexpr Duration kPollInterval = std::chrono::milliseconds(10);
constexpr size_t kMaxOutputBytes = 4096;

void drain(int fd, std::string& out) {
  char buffer[1024];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) return;
    if (out.size() < kMaxOutputBytes)
      out.append(buffer, std::min<size_t>(static_cast<size_t>(got), kMaxOutputBytes - out.size()));
  }
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

Task<Status> run_command(Clock& clock, std::vector<std::string> argv, Duration timeout) {
  LJ_ASSERT(!argv.empty());
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    co_return Error(ErrorCode::kInternal, std::string("pipe: ") + std::strerror(errno));
  ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) {
    ::close(pipe_fds[0]);
    co_return Error(ErrorCode::kNotFound, argv[0] + ": " + std::strerror(spawned));
  }
  std::string output;
  const Duration deadline = clock.monotonic_now() + timeout;
  int status = 0;
  for (;;) {
    drain(pipe_fds[0], output);
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      ::close(pipe_fds[0]);
      co_return Error(ErrorCode::kInternal, std::string("waitpid: ") + std::strerror(errno));
    }
    if (clock.monotonic_now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ::close(pipe_fds[0]);
      co_return Error(ErrorCode::kTimedOut, argv[0] + " did not finish in time");
    }
    co_await clock.sleep_for(kPollInterval);
  }
  drain(pipe_fds[0], output);
  ::close(pipe_fds[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) co_return Status();
  const std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status));
  co_return Error(ErrorCode::kUnavailable, argv[0] + " failed (" + how + "): " + trimmed(output));
}

std::function<Task<Status>()> nginx_reloader(Clock& clock, std::string nginx_binary,
                                             std::string prefix, std::string conf) {
  std::vector<std::string> argv = {std::move(nginx_binary), "-s", "reload",       "-p",
                                   std::move(prefix),       "-c", std::move(conf)};
  return [&clock, argv = std::move(argv)]() {
    return run_command(clock, argv, std::chrono::seconds(10));
  };
}

}  // namespace lj
