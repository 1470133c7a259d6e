#pragma once
// HttpsPostDestinations: push destinations that are customers' HTTPS collectors - Splunk's HTTP
// Event Collector (its raw endpoint), or any webhook that takes lines - for the daemon (libcurl).
//   - A put POSTs the event lines of one published file (delivery/push_payloads.h), read with
//     the cluster's push key, to the address's path: text/plain (application/x-ndjson for JSON),
//     with `X-Lumberjack-File: <account>_<seq>.log` and `X-Lumberjack-Events: <n>`, so a
//     receiver can tell a repeat of a file from new events. A 2xx answer is the acknowledgement:
//     the collector took the whole body. Anything else is a failure, and the pusher repeats the
//     file: at least once (each line carries its event id). The ownership check is POSTed as
//     its text, with `X-Lumberjack-Challenge: yes`.
//   - Lumberjack authenticates with the credential the customer's configuration names, held by
//     the nodes in --push-credentials as "NAME SCHEME TOKEN" ("acme-hec Splunk 5f1c..."), sent
//     as `Authorization: SCHEME TOKEN`; a 401 or 403 is kPermissionDenied.
//   - The collector is authenticated first: its certificate must chain to the customer's CA
//     (lj ctl --push-ca-file), else the node's --push-ca-file, else the system's, and name the
//     host. Only https is spoken; redirects are not followed.
//   - The calls block, so they run on threads of their own (`threads`), each within `timeout`.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "prod/io/push_destination.h"
#include "prod/logfile/rsa_keys.h"
#include "prod/push/push_credentials.h"

namespace lj::push {

struct HttpsPostDestinationsOptions {
  std::shared_ptr<const RsaPrivateKey> push_key;  // null: every log file's put fails, saying why
  PushCredentials credentials;                    // NAME -> {scheme, token}
  std::string ca_file;                            // for customers without a CA of their own
  std::chrono::milliseconds timeout{20'000};
  unsigned threads = 4;
};

// REQUIRES: as SftpDestinations (every destination open() returned gone before it is).
class HttpsPostDestinations final : public PushDestinations {
 public:
  HttpsPostDestinations(HttpsPostDestinationsOptions options,
                        std::function<void(std::function<void()>)> post_to_loop);
  ~HttpsPostDestinations() override;
  Result<std::shared_ptr<PushDestination>> open(const PushTarget& target) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lj::push
