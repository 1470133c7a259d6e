#pragma once
// StatusPage: the cluster as `lj ctl status` sees it, served by every Lumberjack node for
// operators' browsers - /status as HTML (refreshing itself every few seconds) and /status.json
// (the same object `lj ctl status --json` prints).
//   - Read only while someone looks: a request marks the page watched, and while it was watched
//     in the last minute the node reads the cluster (cluster_status_reader.h) at most every
//     `refresh` over a ZooKeeper session of its own, closed again once nobody looks; nobody
//     looking costs nothing. A request
//     is answered at once from the last reading (the first says it is being read).
//   - Everything shown comes from ZooKeeper and the Gracelands, so it is HTML-escaped.

#include <cstdint>
#include <memory>
#include <string>

#include "prod/io/coordinator.h"
#include "prod/io/env.h"
#include "prod/lumberjack/cluster_status.h"
#include "prod/lumberjack/zk_layout.h"

namespace lj::lumberjack {

// The page for `status`, read at `read_at_ms` (epoch ms) by node `node`.
std::string status_html(const ClusterStatus& status, const std::string& node, int64_t read_at_ms,
                        int refresh_s);

class StatusPage {
 public:
  StatusPage(Env env, Coordinator& coordinator, ZkLayout layout, std::string node,
             Duration refresh);
  // Reads while watched, until stop().
  Task<void> run();
  void stop() { stopping_ = true; }
  std::string html();
  std::string json();

 private:
  Task<void> read_once();
  Task<void> close_session();

  Env env_;
  Coordinator& coordinator_;
  ZkLayout layout_;
  std::string node_;
  Duration refresh_;
  bool stopping_ = false;
  Duration watched_at_{-1};  // monotonic; negative: never
  std::unique_ptr<CoordinatorSession> session_;
  std::string html_;
  std::string json_;
};

}  // namespace lj::lumberjack
