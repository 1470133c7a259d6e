#pragma once
// What nginx on a Lumberjack node needs to serve customers their files, rendered from the
// customer configs in ZooKeeper. Pure functions: the NginxConfigurator writes their output.
//
// The node's nginx.conf (ci/nginx/node.conf.template) serves central storage as its root and
// includes the rendered file in its server block. For each customer, the include holds
//
//   location ^~ /<account>_<config>/ {            every URI in the folder, and nothing else
//     access_by_lua_block { lj_auth.check("<realm>", "<user>", "{SSHA}...") }
//     limit_req zone=<zone> burst=<n> nodelay;     keyed by address and $remote_user
//     limit_req zone=<address zone> burst=<n> nodelay;   keyed by address alone
//     location ~ "^/<folder>/(?:logs\.index|<account>_<seq>\.log)$" { }   served as stored
//                                                  (or { include <file_origin>; } from S3)
//     return 404;                                  anything else in the folder: listings, the
//   }                                              store's temp files, other names
//
// and one more location for the files of folders nobody is configured for, which asks for
// credentials no one has (lj_auth.refuse, with the realm a configured folder of that name would
// give), so a stranger cannot tell a configured customer's folder from an unknown one. nginx
// resolves "..", "%2e%2e" and "%2f" before it matches locations, so a path that leaves a folder is
// judged by the folder it lands in.
//
// Every value taken from ZooKeeper is validated before it reaches a config line: ids are
// numbers by type, user names pass validate_username(), password hashes
// validate_password_hash() ("{SSHA}..." or, stored by earlier versions, "$6$...":
// prod/lumberjack/credentials.h).
//
// Where the key is checked: an {SSHA} hash is written into its location and checked in the
// worker's memory by lj_auth (Lua, defined once in node.conf.template's init_by_lua_block):
// one SHA-1, no file. nginx's auth_basic would open and read an htpasswd file on every
// request, which cost a quarter of a small download (ci/bench-download). A "$6$" hash, which
// only crypt(3) checks, keeps auth_basic and an htpasswd file of its own:
//     auth_basic "<realm>"; auth_basic_user_file <htpasswd dir>/<account>_<config>;
// Both run in nginx's access phase, after the rate limits (preaccess).
// A customer that fails is left out (and reported), never breaking the others.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prod/io/result.h"
#include "prod/lumberjack/customer_config.h"

namespace lj::delivery {

struct NginxRenderOptions {
  // The folder of the htpasswd files as written into the config: relative to the folder of
  // nginx.conf, or absolute. [A-Za-z0-9._/-] only.
  std::string htpasswd_dir = "htpasswd";
  std::string rate_limit_zone = "lj_customers";  // defined by limit_req_zone in the template
  uint32_t rate_limit_burst = 50;
  // Per client address, whoever it claims to be: the limit the load balancer kept before it
  // passed TLS through (it no longer sees requests). Named here because nginx applies a
  // location's own limit_req directives instead of, not besides, the server's.
  std::string address_rate_limit_zone = "lj_addresses";  // limit_req_zone in the template
  uint32_t address_rate_limit_burst = 400;
  // Where a customer's files come from: "" serves them from the root (central storage as a
  // directory); else a file of directives included in each file location, relative to the folder
  // of nginx.conf - the S3 origin (nginx_s3_origin.h). [A-Za-z0-9._/-] only.
  std::string file_origin;
};

// Whether the customer can be served: positive ids, credentials present and well-formed.
Status validate_for_nginx(const lumberjack::CustomerConfig& config);

// Whether nginx checks the customer's key in memory (lj_auth: an {SSHA} hash) rather than with
// auth_basic and an htpasswd file (a SHA-512 crypt hash).
bool checked_in_memory(const lumberjack::CustomerConfig& config);
// "<username>:<password hash>\n". REQUIRES: validate_for_nginx(config) is ok.
std::string render_htpasswd(const lumberjack::CustomerConfig& config);
// The location block above. REQUIRES: validate_for_nginx(config) is ok.
std::string render_location(const lumberjack::CustomerConfig& config,
                            const NginxRenderOptions& options);

struct RenderedNginxConfig {
  std::string include;                          // the file included in the server block
  std::map<std::string, std::string> htpasswd;  // file name in htpasswd_dir -> contents (the
                                                // customers auth_basic checks)
  size_t served = 0;                            // customers rendered
  std::vector<std::string> rejected;            // "customer 1001: why", one per left-out customer
  bool operator==(const RenderedNginxConfig&) const = default;
};

// Renders every customer that validates, in the order given. A second customer with the same
// folder is rejected. REQUIRES: options are well-formed (checked by assertions).
RenderedNginxConfig render_nginx_config(std::span<const lumberjack::CustomerConfig> customers,
                                        const NginxRenderOptions& options);

}  // namespace lj::delivery
