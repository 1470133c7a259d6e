#pragma once
// PushDestination: a customer's own storage that Lumberjack pushes published log files to (an
// SFTP server or an S3-compatible bucket), or its syslog collector, behind the seam. Real:
// prod/push/sftp_destinations.* and prod/push/s3_destinations.*; the simulated one is a second
// simulated store (sim/scenarios/pushed_customers.*).
//
// Contract:
//  - A syslog or HTTPS collector (pushes_events) is sent the events of the log file `contents`,
//    read with the cluster's push key (delivery/push_payloads.h); any other `name` (the
//    ownership check) is sent as its text. Acknowledged means the collector read every byte and
//    closed the session in order (syslog) or answered 2xx (HTTPS); a failed put may have
//    delivered some of it, so a repeat may repeat events (each line carries its event id).
//  - put(name, contents) writes the object `name` (relative, '/'-separated, as for ObjectStore)
//    under the destination's own folder. It is atomic (a reader of the destination sees no
//    object, the old one or the whole new one, never a part: an SFTP server gets a temporary
//    name, then a rename) and durable when it returns ok. It replaces an object of that name:
//    a push is repeated after any doubt, and the same name always carries the same bytes.
//  - An error may or may not have been applied (the write landed, its acknowledgement was
//    lost): callers only ever repeat a put.
//  - Every put ends by the destination's own deadline (kTimedOut): a silent server costs its
//    customer's push, never the caller's loop.
//  - Completes on the caller's executor.
//
// PushDestinations opens the destination a customer's configuration names. An address it
// cannot serve (an unknown scheme, no host key to check the server against) is an error that
// says so, and nothing is pushed to it.

#include <memory>
#include <string>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj {

class PushDestination {
 public:
  virtual ~PushDestination() = default;
  virtual Task<Status> put(const std::string& name, std::string contents) = 0;
};

// Where a customer's files are pushed, as its configuration gives it.
struct PushTarget {
  std::string url;  // "sftp://user@host:port/folder", "s3://host/bucket/prefix"; empty: not pushed
  std::string
      host_key;  // sftp: the server's key fingerprint, "SHA256:<base64>" as ssh-keygen -l prints
  std::string credential =
      {};  // s3: the name of the key pair the nodes sign with (prod/push/push_credentials.h)
  // syslog: the CA certificates (PEM) the collector's certificate must chain to; empty: the
  // node's system trust store.
  std::string ca_pem = {};
  bool operator==(const PushTarget&) const = default;
};

// A destination that takes a file's events rather than its bytes (a syslog collector: url
// "syslog+tls://", and the simulator's "syslog+sim://"; an HTTPS collector: "https://"). The
// pusher must read each file, so such a customer's files carry their key wrapped for the
// cluster's push key too (log_file_format.h: pushKey).
inline bool pushes_events(const PushTarget& target) {
  return target.url.starts_with("syslog+") || target.url.starts_with("https://");
}

class PushDestinations {
 public:
  virtual ~PushDestinations() = default;
  // Shared: a put still running when its caller gave up on it keeps its destination alive.
  virtual Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) = 0;
};

}  // namespace lj
