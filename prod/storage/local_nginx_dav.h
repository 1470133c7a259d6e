#pragma once
// LocalNginxDav (tests only): a real nginx with the dav module on loopback, serving a fresh
// temporary directory at /objects/ with PUT, DELETE, MOVE and a JSON autoindex - the central
// store of a multi-machine cluster, as ci/lib/webdav_store.sh runs it.

#include <sys/types.h>

#include <memory>
#include <string>

#include "prod/real/asio_runtime.h"

namespace lj {

class LocalNginxDav {
 public:
  LocalNginxDav() = default;
  LocalNginxDav(const LocalNginxDav&) = delete;
  LocalNginxDav& operator=(const LocalNginxDav&) = delete;
  ~LocalNginxDav() { stop(); }

  // Why nginx cannot serve here (not installed, no dav module), or empty if it can.
  static std::string unusable_reason();
  // Before start(): every request must carry these Basic credentials (auth_basic). The
  // password file holds them in nginx's {PLAIN} scheme: a test fixture, never a deployment.
  void require_credentials(const std::string& user, const std::string& password) {
    htpasswd_line_ = user + ":{PLAIN}" + password + "\n";
  }
  // Starts nginx in a new temporary directory; `runtime` (rooted anywhere) checks it serves.
  Status start(RealRuntime& runtime);
  // SIGTERM, then SIGKILL if it lingers; removes the directory. Idempotent.
  void stop();
  // Shuts it down now and waits (SIGTERM: nginx's fast shutdown, its workers included; a
  // SIGKILL would orphan them): the store is gone, calls must fail as unavailable.
  void kill_now();

  const std::string& address() const { return address_; }            // "127.0.0.1:PORT"
  std::string objects_dir() const { return dir_ + "/www/objects"; }  // what it serves
  std::string error_log() const;

 private:
  void write_config() const;
  bool wait_until_serving(RealRuntime& runtime);

  std::string dir_;
  std::string address_;
  std::string htpasswd_line_;  // empty: no credentials required
  pid_t pid_ = -1;
};

}  // namespace lj
