#include "prod/push/local_server_support.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "prod/real/command_output.h"

extern char** environ;

namespace lj::push {

uint16_t free_loopback_port() {
  int low = 32768;
  if (std::FILE* range = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(range, "%d", &low) != 1) low = 32768;
    std::fclose(range);
  }
  std::mt19937 generator{std::random_device{}()};
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<uint16_t>(
        std::uniform_int_distribution<int>(10000, std::max(10001, low - 1))(generator));
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (bound) return port;
  }
  return 0;
}

bool loopback_accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

Result<pid_t> spawn_server(const std::vector<std::string>& args, uint16_t port,
                           const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (::posix_spawn(&pid, args[0].c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return Error(ErrorCode::kUnavailable, "cannot spawn " + args[0]);
  }
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (loopback_accepts(port)) return pid;
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop_server(pid);
  std::ifstream text(log);
  return Error(ErrorCode::kUnavailable, args[0] + " did not start: " +
                                            std::string(std::istreambuf_iterator<char>(text), {}));
}

void signal_tree(pid_t pid, int signal) {
  ::kill(pid, signal);
  const std::string children = command_output("pgrep -P " + std::to_string(pid));
  for (size_t start = 0; start < children.size();) {
    size_t end = children.find('\n', start);
    if (end == std::string::npos) end = children.size();
    if (end > start)
      signal_tree(static_cast<pid_t>(std::stol(children.substr(start, end - start))), signal);
    start = end + 1;
  }
}

void stop_server(pid_t pid) {
  signal_tree(pid, SIGCONT);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

Status LocalServer::prepare(const std::string& name) {
  std::string pattern = (std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) return Error(ErrorCode::kIoError, "mkdtemp " + pattern);
  dir_ = pattern;
  port_ = free_loopback_port();
  if (port_ == 0) return Error(ErrorCode::kUnavailable, "no free loopback port");
  return Status();
}

Status LocalServer::spawn(const std::vector<std::string>& args, const std::string& log) {
  Result<pid_t> started = spawn_server(args, port_, log);
  if (!started.ok()) return started.error();
  pid_ = *started;
  return Status();
}

void LocalServer::pause() {
  if (pid_ > 0) signal_tree(pid_, SIGSTOP);
}

void LocalServer::resume() {
  if (pid_ > 0) signal_tree(pid_, SIGCONT);
}

void LocalServer::stop() {
  if (pid_ > 0) {
    stop_server(pid_);
    pid_ = -1;
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  dir_.clear();
}

Status make_loopback_certificates(const std::string& dir, const std::string& name) {
  const std::string command =
      "cd " + dir +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj '/CN=test " +
      name +
      " CA' -keyout ca.key -out ca.crt 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=127.0.0.1' "
      "-keyout " +
      name + ".key -out " + name +
      ".csr 2>/dev/null && "
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > " +
      name + ".ext && openssl x509 -req -in " + name +
      ".csr -CA ca.crt -CAkey ca.key "
      "-CAcreateserial -days 2 -extfile " +
      name + ".ext -out " + name + ".crt 2>/dev/null";
  if (std::system(command.c_str()) != 0)
    return Error(ErrorCode::kUnavailable, "openssl could not make certificates");
  return Status();
}

}  // namespace lj::push
