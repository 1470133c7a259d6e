#pragma once
// LocalZooKeeperServer: a real, standalone ZooKeeper (the Debian `zookeeper` package) on
// loopback, for tests of the real Coordinator. Settings are fast for tests: tickTime 200 ms,
// sessions of 0.4-10 s, no fsync, every four-letter word allowed, no admin server.
//  - start() launches `java -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.
//    ZooKeeperServerMain zoo.cfg` (the jar's manifest names its dependencies) and returns
//    once the server answers `srvr` as serving. After stop() it restarts on the same port and
//    data directory, so sessions live on, as across a real server's restart.
//  - stop() kills the server (SIGKILL: a crash; its clients see connection loss).
//  - The server dies with the test process (PR_SET_PDEATHSIG) even if that process crashes,
//    and the destructor removes its temporary directory.
// Its log is `server.log` in the temporary directory; start() quotes its tail on failure.

#include <sys/types.h>

#include <string>

#include "prod/io/result.h"

namespace lj::conformance {

class LocalZooKeeperServer {
 public:
  LocalZooKeeperServer();
  ~LocalZooKeeperServer();
  LocalZooKeeperServer(const LocalZooKeeperServer&) = delete;
  LocalZooKeeperServer& operator=(const LocalZooKeeperServer&) = delete;

  Status start();
  void stop();
  bool running() const { return pid_ > 0; }
  // "127.0.0.1:<port>", for ZkCoordinator.
  std::string hosts() const;

 private:
  Status launch();
  Status wait_until_serving();
  void write_config() const;
  std::string log_tail() const;

  std::string dir_;
  int port_ = 0;
  bool started_once_ = false;
  pid_t pid_ = -1;
};

// LocalZooKeeperEnsemble: a real 3-server ensemble on loopback, through ci/zookeeper (one JVM
// per server, forceSync=yes - ZooKeeper's default: a write is acknowledged once a quorum has
// fsynced it). For the coordinator suite's "ensemble" world and its leader kill.
class LocalZooKeeperEnsemble {
 public:
  LocalZooKeeperEnsemble();
  ~LocalZooKeeperEnsemble();
  LocalZooKeeperEnsemble(const LocalZooKeeperEnsemble&) = delete;
  LocalZooKeeperEnsemble& operator=(const LocalZooKeeperEnsemble&) = delete;

  // Starts every server (again: same data) and returns once all serve.
  Status start();
  void stop();  // SIGKILL to every server
  bool running() const { return running_; }
  std::string hosts() const;
  // SIGKILLs the server that leads now and starts it again at once (it rejoins as a follower
  // while the others elect a leader). Returns which server it was (1-3).
  Result<int> kill_leader();

 private:
  std::string script(const std::string& args) const;

  std::string dir_;
  int base_port_ = 0;
  bool running_ = false;
};

}  // namespace lj::conformance
