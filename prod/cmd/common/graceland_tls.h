#pragma once
// The client side of Graceland's mutual TLS, as every command that talks to a Graceland takes
// it (lj gen, lj check, lj ctl status, the lumberjack daemon):
//
//   --graceland-ca FILE     the operator's CA: a Graceland's certificate must be signed by it
//   --graceland-cert FILE   our certificate (OU = our role: proxy, lumberjack or operator)
//   --graceland-key FILE    its private key
//
// All three, or none: none speaks plain TCP, which a Graceland accepts only when started with
// --plaintext.

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "prod/io/env.h"
#include "prod/io/network.h"
#include "prod/io/result.h"

namespace lj::cmd {

struct GracelandTlsFlags {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;

  // Takes `flag value` if it is one of the three; false if `flag` is another flag.
  bool take(std::string_view flag, std::string_view value);
  // Declares the three on a CLI11 command line, each needing the other two.
  void add_to(CLI::App& app);
  // "" if consistent, else what is wrong.
  std::string problem() const;
  bool enabled() const { return !ca_file.empty(); }
};

inline constexpr const char* kGracelandTlsUsage =
    "[--graceland-ca FILE --graceland-cert FILE --graceland-key FILE]";

// `env` with the network to reach Gracelands through: TLS with our certificate around its own,
// or its own when the flags are off (then `owned` stays empty). `owned` must outlive the Env.
Result<Env> graceland_env(const Env& env, const GracelandTlsFlags& flags,
                          std::unique_ptr<Network>& owned);

}  // namespace lj::cmd
