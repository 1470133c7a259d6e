#pragma once
// Tests only: what the real servers tests start on loopback share (local_sshd.h, local_s3.h).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "prod/io/result.h"

namespace lj::push {

// A free port below the kernel's ephemeral range (ci/lib/ports.sh says why: a probe of a port in
// that range can connect to itself while nothing listens, and read its own bytes back); 0 if none.
uint16_t free_loopback_port();
// Something accepts connections on 127.0.0.1:port.
bool loopback_accepts(uint16_t port);
// Starts `args` (args[0] an absolute path) and waits until it accepts on `port`. `log`: the file
// whose text explains a server that did not start.
Result<pid_t> spawn_server(const std::vector<std::string>& args, uint16_t port,
                           const std::string& log);
// Sends `signal` to the process and every process it forked (a server's per-connection children):
// with SIGSTOP all of them hang, as a machine that lost power does.
void signal_tree(pid_t pid, int signal);
// SIGCONT, SIGTERM, and waits for it.
void stop_server(pid_t pid);
// In `dir`: ca.crt (and ca.key), and <name>.crt with <name>.key, a server certificate for
// 127.0.0.1 and localhost signed by that CA, as an operator's openssl would make them.
Status make_loopback_certificates(const std::string& dir, const std::string& name);

// A server process a test runs on loopback, in a temporary directory of its own: what LocalSshd
// and LocalS3 share. Stopped (and its directory removed) when destroyed.
class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() { stop(); }

  void stop();
  // SIGSTOP / SIGCONT to it and its children: a server that hangs, its connections open,
  // answering nothing.
  void pause();
  void resume();
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }

 protected:
  // A fresh temporary directory "<name>-XXXXXX" as dir(), and a free port as port().
  Status prepare(const std::string& name);
  // Starts the server (spawn_server) on port().
  Status spawn(const std::vector<std::string>& args, const std::string& log);

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lj::push
