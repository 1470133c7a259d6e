#pragma once
// LocalSshd (tests only): a real OpenSSH server on loopback, in a fresh temporary directory,
// with a host key of its own, key authentication only (the client key it generates), and SFTP -
// a customer's SFTP server as Lumberjack pushes to it.

#include <sys/types.h>

#include <string>

#include "prod/io/result.h"

namespace lj::push {

class LocalSshd {
 public:
  LocalSshd() = default;
  LocalSshd(const LocalSshd&) = delete;
  LocalSshd& operator=(const LocalSshd&) = delete;
  ~LocalSshd() { stop(); }

  // Why sshd cannot run here (not installed), or empty if it can.
  static std::string unusable_reason();
  Status start();
  void stop();
  // SIGSTOP / SIGCONT: a server that hangs, its connections open, answering nothing.
  void pause();
  void resume();

  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string user() const;
  std::string client_key() const { return dir_ + "/client_key"; }  // authorized
  std::string other_key() const { return dir_ + "/other_key"; }    // not authorized
  const std::string& host_key_fingerprint() const { return fingerprint_; }  // "SHA256:..."
  // "sftp://<user>@127.0.0.1:<port><folder>"
  std::string url(const std::string& folder) const;

 private:
  std::string dir_;
  uint16_t port_ = 0;
  std::string fingerprint_;
  pid_t pid_ = -1;
};

}  // namespace lj::push
