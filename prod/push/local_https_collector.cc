#include "prod/push/local_https_collector.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lj::push {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr const char* kModules = "/usr/lib/nginx/modules";

// This process's user's name, for nginx's `user` directive.
std::string user_name() {
  const passwd* entry = ::getpwuid(::geteuid());
  return entry == nullptr ? "root" : entry->pw_name;
}

}  // namespace

std::string LocalHttpsCollector::unusable_reason() {
  if (::access(kNginx, X_OK) != 0) return "nginx is not installed (ci/setup installs it)";
  if (::access((std::string(kModules) + "/ngx_http_lua_module.so").c_str(), R_OK) != 0)
    return "nginx's Lua module is not installed (ci/setup: libnginx-mod-http-lua)";
  return "";
}

std::string LocalHttpsCollector::url() const {
  return "https://127.0.0.1:" + std::to_string(port()) + kPath;
}

std::string LocalHttpsCollector::received() const {
  std::ifstream in(dir() + "/received.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status LocalHttpsCollector::start() {
  if (std::string reason = unusable_reason(); !reason.empty())
    return Error(ErrorCode::kUnavailable, reason);
  if (Status prepared = prepare("lj-https-collector"); !prepared.ok()) return prepared;
  const std::string& d = dir();
  if (Status made = make_loopback_certificates(d, "collector"); !made.ok()) return made;
  std::filesystem::create_directories(d + "/temp");
  std::ofstream(d + "/nginx.conf")
      << "load_module " << kModules << "/ndk_http_module.so;\n"
      << "load_module " << kModules
      << "/ngx_http_lua_module.so;\n"
      // Workers as this user (nginx started by root would run them as nobody, who cannot write
      // here).
      << "user " << user_name() << ";\n"
      << "daemon off;\npid " << d << "/nginx.pid;\nerror_log " << d << "/error.log;\n"
      << "events {}\nhttp {\n  access_log off;\n"
      << "  client_body_temp_path " << d << "/temp/body;\n"
      << "  proxy_temp_path " << d << "/temp/proxy;\n"
      << "  fastcgi_temp_path " << d << "/temp/fastcgi;\n"
      << "  uwsgi_temp_path " << d << "/temp/uwsgi;\n"
      << "  scgi_temp_path " << d << "/temp/scgi;\n"
      << "  client_max_body_size 64m;\n  client_body_buffer_size 64m;\n"
      << "  server {\n    listen 127.0.0.1:" << port() << " ssl;\n"
      << "    ssl_certificate " << d << "/collector.crt;\n"
      << "    ssl_certificate_key " << d << "/collector.key;\n"
      << "    location = " << kPath << " {\n      content_by_lua_block {\n"
      << "        if ngx.req.get_method() ~= \"POST\" then return ngx.exit(405) end\n"
      << "        if ngx.var.http_authorization ~= \"Splunk " << kToken << "\" then\n"
      << "          ngx.status = 401\n"
      << "          ngx.say('{\"text\":\"Invalid token\",\"code\":4}')\n"
      << "          return ngx.exit(401)\n        end\n"
      << "        ngx.req.read_body()\n"
      << "        local body = ngx.req.get_body_data() or \"\"\n"
      << "        local out = io.open(\"" << d << "/received.log\", \"a\")\n"
      << "        out:write(\"file=\" .. (ngx.var.http_x_lumberjack_file or \"-\") ..\n"
      << "                  \" events=\" .. (ngx.var.http_x_lumberjack_events or \"-\") ..\n"
      << "                  \" bytes=\" .. #body .. \"\\n\", body)\n"
      << "        out:close()\n"
      << "        ngx.say('{\"text\":\"Success\",\"code\":0}')\n"
      << "      }\n    }\n  }\n}\n";
  const std::string log = d + "/error.log";
  return spawn({kNginx, "-p", d, "-c", d + "/nginx.conf"}, log);
}

}  // namespace lj::push
