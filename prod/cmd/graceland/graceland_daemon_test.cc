// The real daemon as a user runs it: start it, wait for readiness, load it with proxies,
// kill -9 it mid-stream, restart it on the same data directory, and find every acknowledged
// event still there.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "prod/event/event_record.h"
#include "prod/graceland/graceland_client.h"
#include "prod/graceland/segment_format.h"
#include "prod/proxy/proxy.h"
#include "prod/real/asio_runtime.h"

namespace lj {
namespace {

class Daemon {
 public:
  Daemon(const std::string& data_dir, const std::string& listen) : ready_(data_dir + "/ready") {
    std::filesystem::remove(ready_);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string log = data_dir + "/graceland.log";
      // Its output goes to files: a child holding the test's stdout would keep pipes open.
      FILE* log_sink = std::freopen(log.c_str(), "a", stderr);
      FILE* out_sink = std::freopen("/dev/null", "w", stdout);
      (void)log_sink;
      (void)out_sink;
      ::execl(GRACELAND_BIN, "graceland", "--pop", "test", "--plaintext", "--data-dir",
              data_dir.c_str(), "--listen", listen.c_str(), "--ready-file", ready_.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !std::filesystem::exists(ready_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream(ready_) >> address_;
  }
  ~Daemon() { kill(SIGKILL); }
  void kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = -1;
  }
  const std::string& address() const { return address_; }
  int exit_status() const { return exit_status_; }

 private:
  std::string ready_;
  std::string address_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

TEST(GracelandDaemon, KillNineLosesNoAcknowledgedEvent) {
  std::string pattern = (std::filesystem::temp_directory_path() / "lj-daemon-XXXXXX").string();
  const std::string dir = ::mkdtemp(pattern.data());
  RealRuntime runtime(dir);
  Env env = runtime.env();
  proxy::MemoryLedger ledger;
  std::string address;
  std::vector<std::unique_ptr<proxy::Proxy>> fleet;  // outlives its tasks: see Proxy::start
  {
    Daemon daemon(dir, "127.0.0.1:0");
    ASSERT_FALSE(daemon.address().empty()) << "daemon never became ready";
    address = daemon.address();
    for (uint64_t p = 1; p <= 4; ++p) {
      proxy::ProxyOptions options;
      options.proxy_id = p;
      options.accounts = {1001, 1002, 1003};
      options.gracelands = {address};
      options.events_per_second = 2000;
      options.batch_events = 25;
      fleet.push_back(std::make_unique<proxy::Proxy>(env, options, ledger));
      fleet.back()->start();
    }
    runtime.run(env.clock.sleep_for(std::chrono::milliseconds(700)));
    daemon.kill(SIGKILL);  // mid-stream: batches in flight, some appended, some fsync'ing
    for (auto& p : fleet) p->stop();
    runtime.run([](Clock& clock, std::vector<std::unique_ptr<proxy::Proxy>>& fleet) -> Task<void> {
      for (int i = 0; i < 500; ++i) {
        bool finished = true;
        for (const auto& p : fleet) finished = finished && p->finished();
        if (finished) co_return;
        co_await clock.sleep_for(std::chrono::milliseconds(10));
      }
    }(env.clock, fleet));
  }
  const size_t acknowledged = ledger.count(proxy::EventFate::kAcknowledged);
  ASSERT_GT(acknowledged, 100u) << "the load never got going";

  // The store's identity survives kill -9: the restarted daemon is the same store.
  std::string store_id_file;
  std::getline(std::ifstream(dir + "/segments/store-id"), store_id_file);
  auto store_id = graceland::decode_store_id_file(store_id_file + "\n");
  ASSERT_TRUE(store_id.ok()) << store_id.error().to_string();

  Daemon restarted(dir, address);  // same data directory, same address
  ASSERT_EQ(restarted.address(), address);
  std::set<EventId> stored;
  runtime.run([&]() -> Task<void> {
    auto client = co_await graceland::GracelandClient::connect(env, address, "checker");
    EXPECT_TRUE(client.ok());
    if (!client.ok()) co_return;
    auto accounts = co_await (*client)->list();
    EXPECT_TRUE(accounts.ok());
    if (!accounts.ok()) co_return;
    EXPECT_EQ(accounts->store_id, *store_id);
    for (const auto& extent : accounts->accounts) {
      graceland::Position at;
      for (;;) {
        auto batch = co_await (*client)->read(extent.account, at, 1 << 20);
        EXPECT_TRUE(batch.ok());
        if (!batch.ok() || batch->records.empty()) break;
        EXPECT_EQ(batch->store_id, *store_id);
        for (const std::string& record : batch->records) {
          auto decoded = decode_event_record(record);
          EXPECT_TRUE(decoded.ok());
          if (decoded.ok()) stored.insert(decoded->event.id);
        }
        at = batch->next;
      }
    }
  }());
  size_t lost = 0;
  for (const auto& [id, entry] : ledger.entries()) {
    if (entry.fate == proxy::EventFate::kAcknowledged && !stored.contains(id)) ++lost;
  }
  EXPECT_EQ(lost, 0u) << "of " << acknowledged << " acknowledged events";
  restarted.kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(restarted.exit_status()) && WEXITSTATUS(restarted.exit_status()) == 0)
      << "SIGTERM should stop the daemon cleanly";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lj
