#pragma once
// SftpDestinations: push destinations on customers' SFTP servers (libssh), for the daemon.
//   - The server is authenticated before anything is sent: its host key's SHA-256 fingerprint
//     must be the one the customer's configuration names (as `ssh-keygen -lf` prints it); an
//     address without one is refused.
//   - Lumberjack authenticates with one key of its own (--push-ssh-key), which customers
//     authorize on their server.
//   - A put writes "<folder>/.<name>.part-<random>", fsyncs it where the server offers
//     fsync@openssh.com, then renames it onto "<folder>/<name>": a reader of the folder sees the
//     whole file or none. If the name is already taken by a file of the same size (an earlier
//     push of the same file, whose answer was lost), the put is done; another size is replaced.
//   - Every blocking call (connect, authentication, each SFTP request) has the deadline
//     `timeout` (libssh's own, and TCP_USER_TIMEOUT on the socket); a failed session is closed and
//     the next put connects again.
//   - The calls block, so they run on threads of their own (`threads`), never the loop's; one
//     session per destination address, shared by the customers pushed there, one call at a time.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "prod/io/push_destination.h"

namespace lj::push {

struct SftpOptions {
  std::string identity_file;  // Lumberjack's private key (OpenSSH format, no passphrase)
  std::chrono::seconds timeout{20};
  unsigned threads = 4;
};

// REQUIRES: every destination open() returned is gone before this is destroyed (the daemon
// declares it after its runtime and before the node that pushes), and its destructor waits for
// the calls still running on its threads.
class SftpDestinations final : public PushDestinations {
 public:
  // `post_to_loop`: runs a function later on the loop's thread, from any thread
  // (RealRuntime::cross_thread_poster).
  SftpDestinations(SftpOptions options, std::function<void(std::function<void()>)> post_to_loop);
  ~SftpDestinations() override;
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj::push
