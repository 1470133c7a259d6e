#include "prod/cmd/common/graceland_tls.h"

#include "prod/real/tls_network.h"

namespace lj::cmd {

bool GracelandTlsFlags::take(std::string_view flag, std::string_view value) {
  if (flag == "--graceland-ca")
    ca_file = value;
  else if (flag == "--graceland-cert")
    cert_file = value;
  else if (flag == "--graceland-key")
    key_file = value;
  else
    return false;
  return true;
}

void GracelandTlsFlags::add_to(CLI::App& app) {
  CLI::Option* ca = app.add_option("--graceland-ca", ca_file,
                                   "the operator's CA: a Graceland's certificate must be "
                                   "signed by it (mutual TLS; none: plain TCP)");
  CLI::Option* cert =
      app.add_option("--graceland-cert", cert_file, "our certificate (OU: our role)");
  CLI::Option* key = app.add_option("--graceland-key", key_file, "its private key");
  ca->needs(cert)->needs(key);
  cert->needs(ca)->needs(key);
  key->needs(ca)->needs(cert);
}

std::string GracelandTlsFlags::problem() const {
  const int given = !ca_file.empty() + !cert_file.empty() + !key_file.empty();
  if (given != 0 && given != 3)
    return "--graceland-ca, --graceland-cert and --graceland-key go together";
  return "";
}

Result<Env> graceland_env(const Env& env, const GracelandTlsFlags& flags,
                          std::unique_ptr<Network>& owned) {
  if (!flags.enabled()) return env;
  TlsClientOptions options;
  options.ca_file = flags.ca_file;
  options.cert_file = flags.cert_file;
  options.key_file = flags.key_file;
  Result<std::unique_ptr<TlsNetwork>> created = TlsNetwork::create(env.network, options);
  if (!created.ok()) return created.error();
  owned = std::move(*created);
  return with_network(env, *owned);
}

}  // namespace lj::cmd
