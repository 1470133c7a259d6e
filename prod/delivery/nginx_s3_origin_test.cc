// The S3 origin's directives: what reaches the bucket, and values refused before they could
// reach a config line.
#include "prod/delivery/nginx_s3_origin.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace lj::delivery {
namespace {

NginxS3Origin origin() {
  return {"s3.eu-west-1.amazonaws.com",
          443,
          "eu-west-1",
          "acme-logs",
          "lj/central",
          "AKIAEXAMPLE",
          "wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY=",
          ""};
}

TEST(NginxS3Origin, SignsForTheBucketAndPassesNothingOfTheCustomersRequestButItsRange) {
  const std::string rendered = render_nginx_s3_origin(origin()).value();
  for (const char* line : {
           "rewrite_by_lua_block { lj_s3.sign(\"s3.eu-west-1.amazonaws.com:443\", \"eu-west-1\", "
           "\"/acme-logs/lj/central\", \"AKIAEXAMPLE\", \"wJalr/K7MDENG+bPxRfiCYEXAMPLEKEY=\") }\n",
           "proxy_pass https://s3.eu-west-1.amazonaws.com:443;\n",
           "proxy_pass_request_headers off;\n",
           "proxy_pass_request_body off;\n",
           "proxy_set_header Range $http_range;\n",
           "proxy_ssl_name s3.eu-west-1.amazonaws.com;\n",
           "proxy_ssl_verify on;\n",
           "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n",
           "proxy_intercept_errors on;\n",
           "error_page 404 = @lj_s3_missing;\n",
           "error_page 400 403 500 502 503 504 = @lj_s3_failed;\n",
       }) {
    EXPECT_NE(rendered.find(line), std::string::npos) << line << "\nin\n" << rendered;
  }
  NginxS3Origin with_ca = origin();
  with_ca.ca_file = "/etc/lj/store-ca.pem";
  EXPECT_NE(render_nginx_s3_origin(with_ca).value().find(
                "proxy_ssl_trusted_certificate /etc/lj/store-ca.pem;\n"),
            std::string::npos);
}

TEST(NginxS3Origin, RefusesWhatCouldBreakOutOfAConfigLine) {
  const std::vector<std::function<void(NginxS3Origin&)>> hostile = {
      [](NginxS3Origin& o) { o.host = "evil;host"; },
      [](NginxS3Origin& o) { o.host = ""; },
      [](NginxS3Origin& o) { o.region = "eu\"west"; },
      [](NginxS3Origin& o) { o.bucket = "b}"; },
      [](NginxS3Origin& o) { o.prefix = "a b"; },
      [](NginxS3Origin& o) { o.access_key_id = "key\") os.execute(\"x"; },
      [](NginxS3Origin& o) { o.secret_access_key = "s\ne"; },
      [](NginxS3Origin& o) { o.secret_access_key = ""; },
      [](NginxS3Origin& o) { o.ca_file = "/etc/ca.pem; include /etc/shadow"; },
  };
  for (size_t i = 0; i < hostile.size(); ++i) {
    NginxS3Origin bad = origin();
    hostile[i](bad);
    const Result<std::string> rendered = render_nginx_s3_origin(bad);
    ASSERT_FALSE(rendered.ok()) << i;
    EXPECT_EQ(rendered.code(), ErrorCode::kInvalidArgument) << i;
  }
}

}  // namespace
}  // namespace lj::delivery
