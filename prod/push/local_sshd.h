#pragma once
// LocalSshd (tests only): a real OpenSSH server on loopback, in a fresh temporary directory,
// with a host key of its own, key authentication only (the client key it generates), and SFTP -
// a customer's SFTP server as Lumberjack pushes to it.

#include <string>

#include "prod/io/result.h"
#include "prod/push/local_server_support.h"

namespace lj::push {

class LocalSshd final : public LocalServer {
 public:
  // Why sshd cannot run here (not installed), or empty if it can.
  static std::string unusable_reason();
  Status start();

  std::string user() const;
  std::string client_key() const { return dir() + "/client_key"; }          // authorized
  std::string other_key() const { return dir() + "/other_key"; }            // not authorized
  const std::string& host_key_fingerprint() const { return fingerprint_; }  // "SHA256:..."
  // "sftp://<user>@127.0.0.1:<port><folder>"
  std::string url(const std::string& folder) const;

 private:
  std::string fingerprint_;
};

}  // namespace lj::push
