#include "prod/delivery/nginx_config.h"

#include <set>

#include "prod/io/invariant.h"
#include "prod/lumberjack/credentials.h"

namespace lj::delivery {

namespace {

using lumberjack::CustomerConfig;

[[maybe_unused]] bool is_safe_config_word(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '/' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status validate_for_nginx(const CustomerConfig& config) {
  if (config.account_id == 0 || config.config_id == 0) {
    return Error(ErrorCode::kInvalidArgument, "account and config ids are positive");
  }
  if (config.username.empty() || config.password_hash.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "no download credentials (set --username and --password-file)");
  }
  if (Status s = lumberjack::validate_username(config.username); !s.ok()) return s;
  return lumberjack::validate_password_hash(config.password_hash);
}

std::string render_htpasswd(const CustomerConfig& config) {
  LJ_ASSERT(validate_for_nginx(config).ok());
  return config.username + ":" + config.password_hash + "\n";
}

bool checked_in_memory(const CustomerConfig& config) {
  return lumberjack::is_ssha_hash(config.password_hash);
}

namespace {

// A Lua string literal of `text`, which holds no quote, backslash or control character: user
// names, {SSHA} hashes and realms are validated to narrower sets before they get here.
std::string lua_string(std::string_view text) {
  for (char c : text) LJ_ASSERT(c >= ' ' && c != '"' && c != '\\' && c != 0x7f);
  return "\"" + std::string(text) + "\"";
}

std::string render_check(const CustomerConfig& config, const std::string& realm,
                         const NginxRenderOptions& options) {
  if (checked_in_memory(config)) {
    return "    access_by_lua_block { lj_auth.check(" + lua_string(realm) + ", " +
           lua_string(config.username) + ", " + lua_string(config.password_hash) + ") }\n";
  }
  return "    auth_basic \"" + realm + "\";\n" + "    auth_basic_user_file \"" +
         options.htpasswd_dir + "/" + config.folder() + "\";\n";
}

}  // namespace

std::string render_location(const CustomerConfig& config, const NginxRenderOptions& options) {
  LJ_ASSERT(validate_for_nginx(config).ok());
  const std::string folder = config.folder();
  const std::string account = std::to_string(config.account_id);
  std::string out;
  out += "# customer " + account + "\n";
  out += "location ^~ /" + folder + "/ {\n";
  out += render_check(config, "Lumberjack " + folder, options);
  out += "    limit_req zone=" + options.rate_limit_zone +
         " burst=" + std::to_string(options.rate_limit_burst) + " nodelay;\n";
  out += "    limit_req zone=" + options.address_rate_limit_zone +
         " burst=" + std::to_string(options.address_rate_limit_burst) + " nodelay;\n";
  out += "    location ~ \"^/" + folder + "/(?:logs\\.index|" + account +
         "_[1-9][0-9]{0,19}\\.log)$\" {\n";
  if (!options.file_origin.empty()) out += "        include " + options.file_origin + ";\n";
  out += "    }\n";
  out += "    return 404;\n";
  out += "}\n";
  return out;
}

RenderedNginxConfig render_nginx_config(std::span<const CustomerConfig> customers,
                                        const NginxRenderOptions& options) {
  LJ_ASSERT(is_safe_config_word(options.htpasswd_dir));
  LJ_ASSERT(is_safe_config_word(options.rate_limit_zone));
  LJ_ASSERT(is_safe_config_word(options.address_rate_limit_zone));
  LJ_ASSERT(options.file_origin.empty() || is_safe_config_word(options.file_origin));
  RenderedNginxConfig rendered;
  rendered.include =
      "# Rendered by Lumberjack's NginxConfigurator from the customers in ZooKeeper. Do not edit:\n"
      "# it is rewritten on every change.\n";
  std::set<std::string> folders;
  for (const CustomerConfig& config : customers) {
    const std::string who = "customer " + std::to_string(config.account_id);
    if (Status s = validate_for_nginx(config); !s.ok()) {
      rendered.rejected.push_back(who + ": " + s.error().message());
      continue;
    }
    if (!folders.insert(config.folder()).second) {
      rendered.rejected.push_back(who + ": folder " + config.folder() +
                                  " is served for another customer already");
      continue;
    }
    rendered.include += render_location(config, options);
    if (!checked_in_memory(config)) rendered.htpasswd[config.folder()] = render_htpasswd(config);
    ++rendered.served;
  }
  // Files in folders nobody is configured for: the answer a configured folder gives a request
  // without credentials, its realm naming the folder asked for as a configured one's does.
  rendered.include +=
      "# unknown folders: the same answer as a configured folder without credentials\n";
  rendered.include += "location ~ \"^/([0-9]+_[0-9]+)/(?:logs\\.index|[0-9]+_[0-9]+\\.log)$\" {\n";
  rendered.include += "    access_by_lua_block { lj_auth.refuse(\"Lumberjack \" .. ngx.var[1]) }\n";
  rendered.include += "}\n";
  return rendered;
}

}  // namespace lj::delivery
