#pragma once
// Tests only: a real rsyslog on loopback receiving syslog over TLS (imtcp with GnuTLS, RFC 5425
// framing), as a customer's collector would, writing each message it receives raw (%rawmsg%:
// without its octet count) as one line of a file the test reads (audit/syslog_received.h).

#include <string>

#include "prod/push/local_server_support.h"

namespace lj::push {

class LocalRsyslog final : public LocalServer {
 public:
  // Why the server cannot run here (rsyslogd or its GnuTLS driver missing), or empty if it can.
  static std::string unusable_reason();
  Status start();

  std::string ca_file() const { return dir() + "/ca.crt"; }
  // "syslog+tls://127.0.0.1:<port>"
  std::string url() const;
  // Every message received so far, one a line.
  std::string received() const;
};

}  // namespace lj::push
