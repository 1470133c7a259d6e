#include "prod/delivery/nginx_s3_origin.h"

#include <string_view>

namespace lj::delivery {
namespace {

bool only(std::string_view text, std::string_view extra) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

Error refused(const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, "nginx S3 origin: " + what);
}

}  // namespace

Result<std::string> render_nginx_s3_origin(const NginxS3Origin& origin) {
  if (!only(origin.host, ".-")) return refused("a host of letters, digits, '.' and '-'");
  if (!only(origin.region, "-")) return refused("a region of letters, digits and '-'");
  if (!only(origin.bucket, ".-")) return refused("a bucket of letters, digits, '.' and '-'");
  if (!origin.prefix.empty() && !only(origin.prefix, "._/-"))
    return refused("a prefix of letters, digits, '.', '_', '/' and '-'");
  if (!only(origin.access_key_id, "._-") || !only(origin.secret_access_key, "/+=._-"))
    return refused("keys of letters, digits and /+=._-");
  if (!origin.ca_file.empty() && !only(origin.ca_file, "._/-"))
    return refused("a CA path of letters, digits, '.', '_', '/' and '-'");
  const std::string authority = origin.host + ":" + std::to_string(origin.port);
  const std::string base = "/" + origin.bucket + (origin.prefix.empty() ? "" : "/" + origin.prefix);
  auto quoted = [](const std::string& text) { return "\"" + text + "\""; };
  std::string out =
      "# Rendered by lumberjack --storage-s3: customers' files come from the central S3 store.\n"
      "set $lj_s3_authorization \"\";\n"
      "set $lj_s3_date \"\";\n"
      "rewrite_by_lua_block { lj_s3.sign(" +
      quoted(authority) + ", " + quoted(origin.region) + ", " + quoted(base) + ", " +
      quoted(origin.access_key_id) + ", " + quoted(origin.secret_access_key) +
      ") }\n"
      "proxy_pass https://" +
      authority +
      ";\n"
      "proxy_http_version 1.1;\n"
      "proxy_pass_request_headers off;\n"
      "proxy_pass_request_body off;\n"
      "proxy_set_header Host " +
      quoted(authority) +
      ";\n"
      "proxy_set_header Authorization $lj_s3_authorization;\n"
      "proxy_set_header X-Amz-Date $lj_s3_date;\n"
      "proxy_set_header X-Amz-Content-Sha256 "
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855;\n"
      "proxy_set_header Range $http_range;\n"
      "proxy_ssl_server_name on;\n"
      "proxy_ssl_name " +
      origin.host +
      ";\n"
      "proxy_ssl_verify on;\n"
      "proxy_ssl_verify_depth 4;\n"
      "proxy_ssl_trusted_certificate " +
      (origin.ca_file.empty() ? std::string("/etc/ssl/certs/ca-certificates.crt")
                              : origin.ca_file) +
      ";\n"
      "proxy_connect_timeout 5s;\n"
      "proxy_send_timeout 30s;\n"
      "proxy_read_timeout 30s;\n"
      "proxy_intercept_errors on;\n"
      "error_page 404 = @lj_s3_missing;\n"
      "error_page 400 403 500 502 503 504 = @lj_s3_failed;\n"
      "proxy_hide_header x-amz-request-id;\n"
      "proxy_hide_header x-amz-id-2;\n"
      "proxy_hide_header x-amz-version-id;\n"
      "proxy_hide_header x-amz-server-side-encryption;\n";
  return out;
}

}  // namespace lj::delivery
