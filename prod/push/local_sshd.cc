#include "prod/push/local_sshd.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "prod/real/command_output.h"

extern char** environ;

namespace lj::push {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

// A free port below the kernel's ephemeral range (ci/lib/ports.sh says why: a probe of a port in
// that range can connect to itself while nothing listens, and read its own bytes back).
uint16_t free_port() {
  int low = 32768;
  if (std::FILE* range = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(range, "%d", &low) != 1) low = 32768;
    std::fclose(range);
  }
  std::mt19937 generator{std::random_device{}()};
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<uint16_t>(std::uniform_int_distribution<int>(10000, std::max(10001, low - 1))(generator));
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

bool accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

void signal_tree(pid_t pid, int signal);

std::string LocalSshd::unusable_reason() {
  if (::access(kSshd, X_OK) != 0) return std::string(kSshd) + " is not installed (openssh-server)";
  if (command_output("command -v ssh-keygen").empty()) return "ssh-keygen is not installed (openssh-client)";
  return "";
}

std::string LocalSshd::user() const {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry == nullptr ? "root" : entry->pw_name;
}

std::string LocalSshd::url(const std::string& folder) const {
  return "sftp://" + user() + "@127.0.0.1:" + std::to_string(port_) + folder;
}

Status LocalSshd::start() {
  if (std::string reason = unusable_reason(); !reason.empty()) return Error(ErrorCode::kUnavailable, reason);
  std::string pattern = (std::filesystem::temp_directory_path() / "lj-sshd-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Error(ErrorCode::kIoError, "mkdtemp " + pattern);
  dir_ = pattern;
  if (::geteuid() == 0) std::filesystem::create_directories("/run/sshd");  // privilege separation
  for (const char* key : {"host_key", "client_key", "other_key"}) {
    const std::string command = "ssh-keygen -q -t ed25519 -N '' -f " + dir_ + "/" + key + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) return Error(ErrorCode::kUnavailable, "ssh-keygen failed");
  }
  std::filesystem::copy_file(dir_ + "/client_key.pub", dir_ + "/authorized_keys");
  const std::string printed = command_output("ssh-keygen -l -E sha256 -f " + dir_ + "/host_key.pub");
  fingerprint_ = printed.substr(printed.find("SHA256:"));
  fingerprint_ = fingerprint_.substr(0, fingerprint_.find(' '));
  port_ = free_port();
  std::ofstream(dir_ + "/sshd_config") << "Port " << port_ << "\n"
                                       << "ListenAddress 127.0.0.1\n"
                                       << "HostKey " << dir_ << "/host_key\n"
                                       << "PidFile " << dir_ << "/sshd.pid\n"
                                       << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
                                       << "PubkeyAuthentication yes\nPasswordAuthentication no\n"
                                       << "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                                       << "PermitRootLogin prohibit-password\n"
                                       << "Subsystem sftp internal-sftp\n"
                                       << "LogLevel ERROR\n";
  const std::vector<std::string> args = {kSshd, "-D", "-e", "-f", dir_ + "/sshd_config", "-E", dir_ + "/sshd.log"};
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, kSshd, nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    return Error(ErrorCode::kUnavailable, "cannot spawn sshd");
  }
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (accepts(port_)) return Status();
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream log(dir_ + "/sshd.log");
  return Error(ErrorCode::kUnavailable, "sshd did not start: " + std::string(std::istreambuf_iterator<char>(log), {}));
}

// The server and every process it forked for a connection (sshd's monitor and session
// children): all of them hang, as a machine that lost power does.
void signal_tree(pid_t pid, int signal) {
  ::kill(pid, signal);
  const std::string children = command_output("pgrep -P " + std::to_string(pid));
  for (size_t start = 0; start < children.size();) {
    size_t end = children.find('\n', start);
    if (end == std::string::npos) end = children.size();
    if (end > start) signal_tree(static_cast<pid_t>(std::stol(children.substr(start, end - start))), signal);
    start = end + 1;
  }
}

void LocalSshd::pause() {
  if (pid_ > 0) signal_tree(pid_, SIGSTOP);
}

void LocalSshd::resume() {
  if (pid_ > 0) signal_tree(pid_, SIGCONT);
}

void LocalSshd::stop() {
  if (pid_ > 0) {
    signal_tree(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  dir_.clear();
}

}  // namespace lj::push
