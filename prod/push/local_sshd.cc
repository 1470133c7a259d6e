#include "prod/push/local_sshd.h"

#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "prod/push/local_server_support.h"
#include "prod/real/command_output.h"

namespace lj::push {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

}  // namespace

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
  port_ = free_loopback_port();
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
  Result<pid_t> started =
      spawn_server({kSshd, "-D", "-e", "-f", dir_ + "/sshd_config", "-E", dir_ + "/sshd.log"}, port_, dir_ + "/sshd.log");
  if (!started.ok()) return started.error();
  pid_ = *started;
  return Status();
}

void LocalSshd::pause() {
  if (pid_ > 0) signal_tree(pid_, SIGSTOP);
}

void LocalSshd::resume() {
  if (pid_ > 0) signal_tree(pid_, SIGCONT);
}

void LocalSshd::stop() {
  if (pid_ > 0) {
    stop_server(pid_);
    pid_ = -1;
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  dir_.clear();
}

}  // namespace lj::push
