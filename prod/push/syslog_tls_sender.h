#pragma once
// Sends bytes to a syslog collector over TLS (RFC 5425) and learns that it read them: the one
// acknowledgement syslog offers is an orderly end of the session. Blocking (run it on
// BlockingCalls' threads); OpenSSL rather than the loop's TLS, whose connections have no
// half-close.
//   1. TCP connect, then the TLS handshake: the collector's certificate must chain to `ca_pem`
//      (or the system store when empty) and name `host` (a DNS name or an IP address).
//   2. The bytes, then close_notify and the TCP FIN.
//   3. The collector's end of stream, and then every byte we sent (our FIN too) acknowledged by
//      its kernel, with no reset. A collector closes only after reading every record before our
//      close_notify; one that dies or gives up first leaves unread bytes in its socket, and its
//      kernel answers with a reset, not an end of stream. One that closed on its own before our
//      last bytes arrived sent its FIN first - but never acknowledges the bytes that came after
//      (it resets them), so step 3 does not pass. Anything else is an error, and the caller
//      repeats the whole send.
// One deadline, `timeout`, bounds the whole send: each blocking call gets what is left of it,
// and TCP_USER_TIMEOUT covers bytes the collector never acknowledges. A silent or trickling
// collector costs one send, never a thread for longer.

#include <chrono>
#include <string>
#include <string_view>

#include "prod/io/result.h"
#include "prod/push/syslog_url.h"

namespace lj::push {

Status send_to_syslog_collector(const SyslogUrl& url, const std::string& ca_pem,
                                const std::string& ca_file, std::string_view bytes,
                                std::chrono::milliseconds timeout);

}  // namespace lj::push
