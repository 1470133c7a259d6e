#pragma once
// SyslogDestinations: push destinations that are customers' syslog collectors, over TLS
// (RFC 5425, octet-counted RFC 5424 messages), for the daemon.
//   - A put sends the events of one published file (delivery/push_payloads.h), read with the
//     cluster's push key (--push-key), over a session of its own that ends in order: the
//     collector's end of stream is the acknowledgement (syslog_tls_sender.h). A failed put may
//     have delivered some of the file's events, and the pusher repeats the file: at least once,
//     and each line carries its event id for the SIEM to drop a repeat.
//   - The collector is authenticated first: its certificate must chain to the customer's CA
//     (lj ctl --push-ca-file), else the node's --push-ca-file, else the system store, and name
//     the host the address gives.
//   - The calls block, so they run on threads of their own (`threads`), each within `timeout`.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "prod/delivery/log_sinks.h"
#include "prod/io/push_destination.h"
#include "prod/logfile/rsa_keys.h"

namespace lj::push {

struct SyslogDestinationsOptions {
  std::shared_ptr<const RsaPrivateKey> push_key;  // null: every log file's put fails, saying why
  std::string ca_file;                            // for customers without a CA of their own
  std::chrono::milliseconds timeout{20'000};
  delivery::SyslogOptions frames;  // HOSTNAME and APP-NAME of the messages (address unused)
  unsigned threads = 4;
};

// REQUIRES: as SftpDestinations (every destination open() returned gone before it is).
class SyslogDestinations final : public PushDestinations {
 public:
  SyslogDestinations(SyslogDestinationsOptions options,
                     std::function<void(std::function<void()>)> post_to_loop);
  ~SyslogDestinations() override;
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj::push
