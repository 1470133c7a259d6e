// Rendering nginx configuration from customer configs: the exact blocks, and every value from
// ZooKeeper validated before it can reach a config line.
#include "prod/delivery/nginx_config.h"

#include <gtest/gtest.h>

namespace lj::delivery {
namespace {

using lumberjack::CustomerConfig;

constexpr std::string_view kHash = "{SSHA}PayjNGPOQPun1mAJCjIZ6fcA0vkAAQIDBAUGBwgJCgsMDQ4P";
// SHA-512 crypt, as versions before {SSHA} stored: still served, so an upgrade locks nobody out.
constexpr std::string_view kLegacyHash =
    "$6$abcdefgh12345678$"
    "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4/./abc";

CustomerConfig customer(uint64_t account, uint64_t config_id, std::string username) {
  CustomerConfig config;
  config.account_id = account;
  config.config_id = config_id;
  config.username = std::move(username);
  config.password_hash = std::string(kHash);
  return config;
}

TEST(NginxConfig, RendersOneLocationPerCustomer) {
  const std::string expected =
      "# customer 1001\n"
      "location ^~ /1001_7/ {\n"
      "    access_by_lua_block { lj_auth.check(\"Lumberjack 1001_7\", \"alice\", \"" +
      std::string(kHash) +
      "\") }\n"
      "    limit_req zone=lj_customers burst=50 nodelay;\n"
      "    limit_req zone=lj_addresses burst=400 nodelay;\n"
      "    location ~ \"^/1001_7/(?:logs\\.index|1001_[1-9][0-9]{0,19}\\.log)$\" {\n"
      "    }\n"
      "    return 404;\n"
      "}\n";
  EXPECT_EQ(render_location(customer(1001, 7, "alice"), NginxRenderOptions{}), expected);
}

TEST(NginxConfig, FilesFromAnS3OriginIncludeItsDirectivesInTheFileLocationAlone) {
  NginxRenderOptions options;
  options.file_origin = "s3-origin.conf";
  const std::string rendered = render_location(customer(1001, 7, "alice"), options);
  EXPECT_NE(
      rendered.find("1001_[1-9][0-9]{0,19}\\.log)$\" {\n        include s3-origin.conf;\n    }\n"
                    "    return 404;\n"),
      std::string::npos)
      << rendered;
  EXPECT_EQ(rendered.find("include"), rendered.rfind("include")) << "once, for the files only";
}

TEST(NginxConfig, ALegacyHashIsCheckedByAuthBasicFromItsOwnHtpasswdFile) {
  CustomerConfig legacy = customer(1001, 7, "alice");
  legacy.password_hash = std::string(kLegacyHash);
  const std::string location = render_location(legacy, NginxRenderOptions{});
  EXPECT_NE(location.find("    auth_basic \"Lumberjack 1001_7\";\n"
                          "    auth_basic_user_file \"htpasswd/1001_7\";\n"),
            std::string::npos)
      << location;
  EXPECT_EQ(location.find("lj_auth"), std::string::npos);
  EXPECT_EQ(render_htpasswd(legacy), "alice:" + std::string(kLegacyHash) + "\n");
}

TEST(NginxConfig, RendersEveryValidCustomerAndAnUnknownFolderCatchAll) {
  const std::vector<CustomerConfig> customers = {customer(1001, 7, "alice"),
                                                 customer(1002, 1, "bob@example.com")};
  NginxRenderOptions options;
  options.htpasswd_dir = "/etc/lj/htpasswd";
  options.rate_limit_burst = 5;
  const RenderedNginxConfig rendered = render_nginx_config(customers, options);
  EXPECT_TRUE(rendered.rejected.empty());
  EXPECT_NE(rendered.include.find("location ^~ /1001_7/ {"), std::string::npos);
  EXPECT_NE(rendered.include.find("location ^~ /1002_1/ {"), std::string::npos);
  EXPECT_NE(rendered.include.find("lj_auth.check(\"Lumberjack 1002_1\", \"bob@example.com\", \"" +
                                  std::string(kHash) + "\")"),
            std::string::npos);
  EXPECT_NE(rendered.include.find("burst=5 nodelay"), std::string::npos);
  EXPECT_NE(rendered.include.find("lj_auth.refuse(\"Lumberjack \" .. ngx.var[1])"),
            std::string::npos)
      << "unknown folders grant nothing";
  EXPECT_EQ(rendered.served, 2u);
  EXPECT_TRUE(rendered.htpasswd.empty()) << "both are checked in memory";
}

TEST(NginxConfig, NoCustomersStillServesTheCatchAll) {
  const RenderedNginxConfig rendered = render_nginx_config({}, NginxRenderOptions{});
  EXPECT_EQ(rendered.served, 0u);
  EXPECT_NE(rendered.include.find("lj_auth.refuse"), std::string::npos);
  EXPECT_EQ(rendered.include.find("location ^~"), std::string::npos);
}

TEST(NginxConfig, ServesSshaAndLegacySha512CryptCustomersAlike) {
  CustomerConfig legacy = customer(1002, 1, "bob");
  legacy.password_hash = std::string(kLegacyHash);
  const std::vector<CustomerConfig> customers = {customer(1001, 7, "alice"), legacy};
  const RenderedNginxConfig rendered = render_nginx_config(customers, NginxRenderOptions{});
  EXPECT_TRUE(rendered.rejected.empty());
  EXPECT_EQ(rendered.served, 2u);
  EXPECT_NE(rendered.include.find("lj_auth.check(\"Lumberjack 1001_7\""), std::string::npos);
  EXPECT_NE(rendered.include.find("auth_basic_user_file \"htpasswd/1002_1\";"), std::string::npos);
  ASSERT_EQ(rendered.htpasswd.size(), 1u) << "only the legacy hash needs a file";
  EXPECT_EQ(rendered.htpasswd.at("1002_1"), "bob:" + std::string(kLegacyHash) + "\n");
}

TEST(NginxConfig, LeavesOutCustomersWhoseValuesCouldInject) {
  std::vector<CustomerConfig> customers;
  customers.push_back(customer(1001, 7, "alice"));
  customers.push_back(customer(2001, 1, "eve\nmallory:$6$x$y"));  // a second htpasswd line
  customers.push_back(customer(2002, 1, "eve\";}"));              // leaves the config block
  customers.push_back(customer(2003, 1, "with space"));
  customers.push_back(customer(2004, 1, ""));
  CustomerConfig no_password = customer(2005, 1, "bob");
  no_password.password_hash.clear();
  customers.push_back(no_password);
  CustomerConfig bad_hash = customer(2006, 1, "carol");
  bad_hash.password_hash = "$6$salt$abc\n}";
  customers.push_back(bad_hash);
  CustomerConfig bad_ssha = customer(2008, 1, "erin");
  bad_ssha.password_hash = std::string(kHash) + "\nmallory:" + std::string(kHash);
  customers.push_back(bad_ssha);
  customers.push_back(customer(2007, 0, "dave"));         // config id 0
  customers.push_back(customer(1001, 7, "alice-again"));  // the same folder twice
  customers.push_back(customer(1003, 2, "frank"));

  const RenderedNginxConfig rendered = render_nginx_config(customers, NginxRenderOptions{});
  EXPECT_EQ(rendered.rejected.size(), 9u);
  for (const std::string& why : rendered.rejected) EXPECT_TRUE(why.starts_with("customer ")) << why;
  EXPECT_EQ(rendered.served, 2u) << "alice and frank";
  EXPECT_NE(rendered.include.find("location ^~ /1001_7/"), std::string::npos);
  EXPECT_NE(rendered.include.find("location ^~ /1003_2/"), std::string::npos);
  EXPECT_NE(rendered.include.find("\"alice\""), std::string::npos) << "the first one wins";
  for (const std::string_view hostile :
       {"eve\n", "eve\"", "mallory", "2001", "carol", "erin", "dave", "alice-again"}) {
    EXPECT_EQ(rendered.include.find(hostile), std::string::npos) << hostile;
  }
}

TEST(NginxConfig, RenderingIsDeterministic) {
  const std::vector<CustomerConfig> customers = {customer(3, 1, "a"), customer(1, 1, "b")};
  EXPECT_EQ(render_nginx_config(customers, NginxRenderOptions{}),
            render_nginx_config(customers, NginxRenderOptions{}));
}

}  // namespace
}  // namespace lj::delivery
