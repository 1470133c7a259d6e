#include "prod/push/local_sshd.h"

#include <pwd.h>
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
  if (command_output("command -v ssh-keygen").empty())
    return "ssh-keygen is not installed (openssh-client)";
  return "";
}

std::string LocalSshd::user() const {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry == nullptr ? "root" : entry->pw_name;
}

std::string LocalSshd::url(const std::string& folder) const {
  return "sftp://" + user() + "@127.0.0.1:" + std::to_string(port()) + folder;
}

Status LocalSshd::start() {
  if (std::string reason = unusable_reason(); !reason.empty())
    return Error(ErrorCode::kUnavailable, reason);
  if (Status prepared = prepare("lj-sshd"); !prepared.ok()) return prepared;
  const std::string& folder = dir();
  if (::geteuid() == 0) std::filesystem::create_directories("/run/sshd");  // privilege separation
  for (const char* key : {"host_key", "client_key", "other_key"}) {
    const std::string command =
        "ssh-keygen -q -t ed25519 -N '' -f " + folder + "/" + key + " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0)
      return Error(ErrorCode::kUnavailable, "ssh-keygen failed");
  }
  std::filesystem::copy_file(folder + "/client_key.pub", folder + "/authorized_keys");
  const std::string printed =
      command_output("ssh-keygen -l -E sha256 -f " + folder + "/host_key.pub");
  fingerprint_ = printed.substr(printed.find("SHA256:"));
  fingerprint_ = fingerprint_.substr(0, fingerprint_.find(' '));
  std::ofstream(folder + "/sshd_config")
      << "Port " << port() << "\n"
      << "ListenAddress 127.0.0.1\n"
      << "HostKey " << folder << "/host_key\n"
      << "PidFile " << folder << "/sshd.pid\n"
      << "AuthorizedKeysFile " << folder << "/authorized_keys\n"
      << "PubkeyAuthentication yes\nPasswordAuthentication no\n"
      << "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
      << "PermitRootLogin prohibit-password\n"
      << "Subsystem sftp internal-sftp\n"
      << "LogLevel ERROR\n";
  return spawn({kSshd, "-D", "-e", "-f", folder + "/sshd_config", "-E", folder + "/sshd.log"},
               folder + "/sshd.log");
}

}  // namespace lj::push
