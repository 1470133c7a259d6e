#pragma once
// NginxConfigurator: keeps this node's nginx serving exactly the customers in ZooKeeper.
//
// It holds its own ZooKeeper session and watches <root>/customers (children) and every
// customer node (data); any event, or `recheck_interval` without one, makes it read them all
// again. When the rendering (nginx_config.h) differs from what it last applied, it writes
// through the FileSystem seam, each file atomically (temp, sync, rename, sync_dir):
//   <nginx_dir>/htpasswd/<account>_<config>   one per customer whose hash is SHA-512 crypt (from
//                                             an earlier version): "user:$6$...", never a key
//   <nginx_dir>/customers.conf                the locations, included by nginx.conf, each with
//                                             its customer's {SSHA} hash (checked in memory)
// then asks for a reload (the daemon's callback runs `nginx -s reload`; nginx finishes the
// requests in progress on its old workers). htpasswd files are written before the include
// that names them, and a dropped file is deleted only after the reload that stops naming it
// was asked for. (nginx applies a reload a moment later: a request that reaches an old worker
// in that moment for a customer just moved off SHA-512 crypt, or just removed, is refused
// with 403 rather than 401.)
// An {SSHA} key lives in customers.conf: a new or revoked key takes effect once the reload it
// causes succeeds. A reload that fails is logged and retried, and the key in force meanwhile
// is the last one nginx loaded.
//
// Failures (ZooKeeper down, a disk error, a reload that failed) are logged and retried after
// `retry_interval`; the last good configuration stays in force meanwhile. A customer whose
// node does not decode or validate is left out, logged, and never breaks the others.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "prod/delivery/nginx_config.h"
#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/io/log.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::delivery {

// Asks nginx to load its configuration again. ok once nginx accepted the signal.
using ReloadNginx = std::function<Task<Status>()>;

struct NginxConfiguratorOptions {
  lumberjack::ZkLayout layout;
  std::string nginx_dir = "nginx";  // on the FileSystem: holds customers.conf and htpasswd/
  NginxRenderOptions render;
  Duration session_timeout = std::chrono::seconds(10);
  Duration connect_timeout = std::chrono::seconds(5);
  Duration recheck_interval = std::chrono::seconds(30);  // re-read even when no watch fires
  Duration retry_interval = std::chrono::seconds(2);
  LogSink log;  // one line per call; stderr if empty
};

struct NginxConfiguratorStatus {
  uint64_t applied = 0;   // renderings written
  uint64_t reloads = 0;   // successful reload requests
  uint64_t failures = 0;  // rounds that failed and will be retried
  size_t customers_served = 0;
  size_t customers_rejected = 0;
};

class NginxConfigurator {
 public:
  NginxConfigurator(Env env, Coordinator& coordinator, NginxConfiguratorOptions options,
                    ReloadNginx reload);
  ~NginxConfigurator();

  // Runs until stop(); closes its session on the way out.
  Task<void> run();
  void stop() { stopping_ = true; }
  const NginxConfiguratorStatus& status() const { return status_; }

  static constexpr std::string_view kIncludeName = "customers.conf";
  static constexpr std::string_view kHtpasswdDirName = "htpasswd";

 private:
  // Reads every customer (setting watches). An error means "try again".
  Task<Result<std::vector<lumberjack::CustomerConfig>>> read_customers(CoordinatorSession& session);
  // Writes what changed and reloads nginx if the include changed (or never was loaded).
  Task<Status> apply(const RenderedNginxConfig& rendered);
  Task<Status> write_if_changed(const std::string& path, const std::string& contents);
  Task<Status> remove_stale_htpasswd(const RenderedNginxConfig& rendered);
  Task<void> pause(Duration duration);  // returns early on stop()
  std::string include_path() const;
  std::string htpasswd_dir() const;
  void log(LogLevel level, const std::string& line) const;

  Env env_;
  Coordinator& coordinator_;
  NginxConfiguratorOptions options_;
  ReloadNginx reload_;
  bool stopping_ = false;
  NginxConfiguratorStatus status_;
  std::unique_ptr<CoordinatorSession> session_;
  // What nginx was last told to load, after a reload that succeeded.
  std::optional<RenderedNginxConfig> applied_;
  std::vector<std::string> read_rejected_;  // customers whose nodes failed to decode, this round
  std::vector<std::string> last_rejected_;  // logged once per change, not every round
};

}  // namespace lj::delivery
