// The NginxConfigurator against the simulated ZooKeeper and disk: it follows customers being
// added, changed and removed, reloads only when the locations change, keeps serving the good
// customers when one is broken, and rides out ZooKeeper outages and session expiry.
#include "prod/delivery/nginx_configurator.h"

#include <gtest/gtest.h>

#include <optional>

#include "prod/io/files.h"
#include "sim/sim_node.h"
#include "sim/sim_zookeeper.h"

namespace lj::delivery {
namespace {

using lumberjack::CustomerConfig;
using lumberjack::ZkLayout;

constexpr int64_t kSecond_ns = 1'000'000'000;
// SHA-512 crypt, which nginx checks with auth_basic and an htpasswd file.
constexpr std::string_view kHashA = "$6$saltA$hashAAAAAAAAAAAAAAAA";
constexpr std::string_view kHashB = "$6$saltB$hashBBBBBBBBBBBBBBBB";
// {SSHA}, which nginx checks in memory: the hash is in customers.conf.
constexpr std::string_view kSshaA = "{SSHA}PayjNGPOQPun1mAJCjIZ6fcA0vkAAQIDBAUGBwgJCgsMDQ4P";
constexpr std::string_view kSshaB = "{SSHA}QayjNGPOQPun1mAJCjIZ6fcA0vkAAQIDBAUGBwgJCgsMDQ4P";

CustomerConfig customer(uint64_t account, std::string username, std::string_view hash) {
  CustomerConfig config;
  config.account_id = account;
  config.config_id = 7;
  config.username = std::move(username);
  config.password_hash = std::string(hash);
  return config;
}

class NginxConfiguratorTest : public ::testing::Test {
 protected:
  NginxConfiguratorTest() : simulation_(5), zookeeper_(simulation_) {
    node_ = &simulation_.add_node("lumberjack", nullptr);
    admin_ = &simulation_.add_node("admin", nullptr);
    node_->start();
    admin_->start();
    auto session =
        call(zookeeper_.client(*admin_).connect(std::chrono::seconds(30), std::chrono::seconds(5)));
    EXPECT_TRUE(session.ok());
    admin_session_ = std::move(*session);
  }
  ~NginxConfiguratorTest() override {
    if (configurator_) configurator_->stop();
    simulation_.run_for(std::chrono::seconds(1));
  }

  template <typename T>
  T call(Task<T> task) {
    std::optional<T> result;
    admin_->spawn([](Task<T> inner, std::optional<T>& out) -> Task<void> {
      out.emplace(co_await std::move(inner));
    }(std::move(task), result));
    const bool done = simulation_.run_until([&] { return result.has_value(); },
                                            simulation_.now_ns() + 60 * kSecond_ns);
    EXPECT_TRUE(done) << "call did not finish";
    if (!done) return T(Error(ErrorCode::kTimedOut, "test: call hung"));
    return std::move(*result);
  }

  void put_customer(const CustomerConfig& config) {
    const std::string path = layout_.customer(std::to_string(config.account_id));
    ASSERT_TRUE(call(create_path(*admin_session_, layout_.customers())).ok());
    auto set = call(admin_session_->set(path, config.encode()));
    if (!set.ok()) {
      ASSERT_EQ(set.code(), ErrorCode::kNotFound);
      ASSERT_TRUE(call(admin_session_->create(path, config.encode(), NodeMode::kPersistent)).ok());
    }
  }
  void put_raw(const std::string& account, const std::string& data) {
    ASSERT_TRUE(call(create_path(*admin_session_, layout_.customers())).ok());
    ASSERT_TRUE(
        call(admin_session_->create(layout_.customer(account), data, NodeMode::kPersistent)).ok());
  }
  void remove_customer(uint64_t account) {
    ASSERT_TRUE(call(admin_session_->remove(layout_.customer(std::to_string(account)))).ok());
  }

  void start(Status reload_result = Status()) {
    reload_result_ = reload_result;
    NginxConfiguratorOptions options;
    options.nginx_dir = "etc/nginx";
    options.recheck_interval = std::chrono::seconds(30);
    options.retry_interval = std::chrono::seconds(1);
    options.log = [this](LogLevel, std::string_view line) { log_.push_back(std::string(line)); };
    configurator_ = &node_->keep(std::make_unique<NginxConfigurator>(
        node_->env(), zookeeper_.client(*node_), options, [this]() -> Task<Status> {
          ++reloads_;
          co_return reload_result_;
        }));
    node_->spawn(configurator_->run());
  }

  // Runs the simulation for a few seconds: every watch has fired and been acted on.
  void settle() { simulation_.run_for(std::chrono::seconds(3)); }

  std::optional<std::string> file(const std::string& path) {
    Result<std::string> contents = read_file(node_->env().files, "etc/nginx/" + path);
    if (!contents.ok()) return std::nullopt;
    return *contents;
  }
  std::string log_text() const {
    std::string text;
    for (const std::string& line : log_) text += line + "\n";
    return text;
  }
  bool logged(std::string_view text) const {
    for (const std::string& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  sim::Simulation simulation_;
  sim::SimZooKeeper zookeeper_;
  sim::SimNode* node_ = nullptr;
  sim::SimNode* admin_ = nullptr;
  std::unique_ptr<CoordinatorSession> admin_session_;
  ZkLayout layout_;
  NginxConfigurator* configurator_ = nullptr;
  Status reload_result_;
  int reloads_ = 0;
  std::vector<std::string> log_;
};

TEST_F(NginxConfiguratorTest, ServesNobodyBeforeTheFirstCustomer) {
  start();
  settle();
  EXPECT_EQ(reloads_, 1) << "the first rendering is always loaded";
  ASSERT_TRUE(file("customers.conf").has_value());
  EXPECT_EQ(file("customers.conf")->find("location ^~"), std::string::npos);
  EXPECT_NE(file("customers.conf")->find("lj_auth.refuse(\"Lumberjack \" .. ngx.var[1])"),
            std::string::npos)
      << "unknown folders: refused";
  put_customer(customer(1001, "alice", kHashA));
  settle();
  EXPECT_EQ(reloads_, 2);
  EXPECT_NE(file("customers.conf")->find("location ^~ /1001_7/"), std::string::npos);
  EXPECT_EQ(file("htpasswd/1001_7"), "alice:" + std::string(kHashA) + "\n");
}

TEST_F(NginxConfiguratorTest, AnInMemoryKeyChangeReloadsAndLeavesNoHtpasswd) {
  put_customer(customer(1001, "alice", kSshaA));
  start();
  settle();
  EXPECT_EQ(reloads_, 1);
  EXPECT_EQ(configurator_->status().customers_served, 1u) << log_text();
  EXPECT_NE(file("customers.conf")->find(kSshaA), std::string::npos);
  EXPECT_FALSE(file("htpasswd/1001_7").has_value()) << "checked in memory, not from a file";
  // The hash is in the loaded configuration: a new key takes a reload.
  put_customer(customer(1001, "alice", kSshaB));
  settle();
  EXPECT_EQ(reloads_, 2);
  EXPECT_NE(file("customers.conf")->find(kSshaB), std::string::npos);
  EXPECT_EQ(file("customers.conf")->find(kSshaA), std::string::npos);
}

TEST_F(NginxConfiguratorTest, FollowsAddsChangesAndRemovals) {
  put_customer(customer(1001, "alice", kHashA));
  put_customer(customer(1002, "bob", kHashB));
  start();
  settle();
  EXPECT_EQ(reloads_, 1);
  EXPECT_EQ(configurator_->status().customers_served, 2u) << log_text();
  EXPECT_EQ(file("htpasswd/1002_7"), "bob:" + std::string(kHashB) + "\n");

  // A new password: only the htpasswd file changes, which nginx reads per request.
  put_customer(customer(1002, "bob", kHashA));
  settle();
  EXPECT_EQ(file("htpasswd/1002_7"), "bob:" + std::string(kHashA) + "\n");
  EXPECT_EQ(reloads_, 1) << "no reload for a credential change";

  // A new config id moves the folder: new location, reload, the old credentials gone.
  CustomerConfig moved = customer(1002, "bob", kHashA);
  moved.config_id = 8;
  put_customer(moved);
  settle();
  EXPECT_EQ(reloads_, 2);
  EXPECT_NE(file("customers.conf")->find("location ^~ /1002_8/"), std::string::npos);
  EXPECT_EQ(file("customers.conf")->find("/1002_7/"), std::string::npos);
  EXPECT_FALSE(file("htpasswd/1002_7").has_value());

  remove_customer(1001);
  settle();
  EXPECT_EQ(reloads_, 3);
  EXPECT_EQ(file("customers.conf")->find("1001"), std::string::npos);
  EXPECT_FALSE(file("htpasswd/1001_7").has_value());
  EXPECT_EQ(configurator_->status().customers_served, 1u);
}

TEST_F(NginxConfiguratorTest, ABrokenCustomerNodeDoesNotStopTheOthers) {
  put_customer(customer(1001, "alice", kHashA));
  put_raw("1002", "this is not a customer config");
  CustomerConfig hostile = customer(1003, "eve", "$6$x$y\nmallory:$6$x$y");
  put_raw("1003", hostile.encode());
  put_raw("1004", customer(1005, "carol", kHashB).encode());  // the node name says another account
  start();
  settle();
  EXPECT_EQ(configurator_->status().customers_served, 1u);
  EXPECT_EQ(configurator_->status().customers_rejected, 3u);
  EXPECT_TRUE(logged("not serving customer 1002: unreadable"));
  EXPECT_TRUE(logged("not serving customer 1003"));
  EXPECT_TRUE(logged("not serving customer 1004: its node holds account 1005"));
  const std::string include = *file("customers.conf");
  EXPECT_NE(include.find("/1001_7/"), std::string::npos);
  EXPECT_EQ(include.find("mallory"), std::string::npos);
  EXPECT_FALSE(file("htpasswd/1003_7").has_value());
}

TEST_F(NginxConfiguratorTest, RetriesAFailedReloadUntilNginxTakesIt) {
  put_customer(customer(1001, "alice", kHashA));
  start(Error(ErrorCode::kUnavailable, "nginx is not running"));
  settle();
  EXPECT_GE(reloads_, 2) << "retried";
  EXPECT_TRUE(logged("nginx reload: nginx is not running"));
  const int failed = reloads_;
  reload_result_ = Status();
  settle();
  EXPECT_EQ(reloads_, failed + 1) << "one more, that worked, then quiet";
  EXPECT_TRUE(logged("recovered"));
}

TEST_F(NginxConfiguratorTest, RidesOutZooKeeperOutagesAndSessionExpiry) {
  put_customer(customer(1001, "alice", kHashA));
  start();
  settle();
  EXPECT_EQ(configurator_->status().customers_served, 1u);

  zookeeper_.set_available(false);
  simulation_.run_for(std::chrono::seconds(40));  // past a recheck: reads fail meanwhile
  EXPECT_EQ(file("htpasswd/1001_7"), "alice:" + std::string(kHashA) + "\n")
      << "the last good config stays";
  zookeeper_.set_available(true);
  put_customer(customer(1002, "bob", kHashB));
  // A read sent while the service was down fails only at the client's op timeout (2/3 of
  // the session timeout); the retry after it sees the new customer.
  simulation_.run_for(std::chrono::seconds(10));
  EXPECT_EQ(configurator_->status().customers_served, 2u) << log_text();
  EXPECT_TRUE(logged("recovered"));

  for (int64_t session : zookeeper_.live_sessions()) {
    if (session != admin_session_->session_id()) zookeeper_.expire_session(session);
  }
  settle();
  put_customer(customer(1003, "carol", kHashB));
  simulation_.run_for(std::chrono::seconds(10));
  EXPECT_EQ(configurator_->status().customers_served, 3u) << "a new session, new watches";
  EXPECT_TRUE(file("htpasswd/1003_7").has_value());
}

}  // namespace
}  // namespace lj::delivery
