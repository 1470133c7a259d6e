#pragma once
// Tests only: an HTTPS collector on loopback in the shape of Splunk's HTTP Event Collector raw
// endpoint - a real nginx (its Lua module answering POST /services/collector/raw) that takes a
// body only with `Authorization: Splunk <token>` (else 401, as HEC answers a bad token), answers
// {"text":"Success","code":0}, and appends each body it took to a file the test reads:
// "file=<X-Lumberjack-File> events=<X-Lumberjack-Events> bytes=<n>" then the body.

#include <string>

#include "prod/push/local_server_support.h"

namespace lj::push {

class LocalHttpsCollector final : public LocalServer {
 public:
  static constexpr const char* kToken = "5f1c0b2e-hec-token";
  static constexpr const char* kPath = "/services/collector/raw";

  // Why the server cannot run here (nginx or its Lua module missing), or empty if it can.
  static std::string unusable_reason();
  Status start();

  std::string ca_file() const { return dir() + "/ca.crt"; }
  // "https://127.0.0.1:<port>/services/collector/raw"
  std::string url() const;
  // Every body taken so far, each after its line of headers.
  std::string received() const;
};

}  // namespace lj::push
