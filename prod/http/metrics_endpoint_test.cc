// The endpoint on the simulated network, asked by the HTTP client: /metrics and the pages it
// was given answer 200 with their content type, any other path 404 naming the known ones, any
// other method 405.
#include "prod/http/metrics_endpoint.h"

#include <gtest/gtest.h>

#include <optional>

#include "prod/http/http1_client.h"
#include "sim/sim_node.h"

namespace lj {
namespace {

constexpr int64_t kMinute_ns = 60'000'000'000;

class MetricsEndpointTest : public ::testing::Test {
 protected:
  MetricsEndpointTest() : simulation_(7) {
    server_ = &simulation_.add_node("gl", nullptr);
    client_ = &simulation_.add_node("prometheus", nullptr);
    server_->start();
    client_->start();
    std::map<std::string, Page> pages;
    pages["/status"] = {"text/html; charset=utf-8", [] { return std::string("<p>fine</p>"); }};
    auto endpoint = MetricsEndpoint::start(
        server_->env(), "gl:9101", [this] { return "up " + std::to_string(++scrapes_) + "\n"; },
        std::move(pages));
    EXPECT_TRUE(endpoint.ok());
    if (endpoint.ok()) server_->keep(std::move(*endpoint));
  }

  Result<HttpResponse> ask(std::string method, std::string target) {
    Http1ClientOptions options;
    options.address = "gl:9101";
    options.timeout = std::chrono::seconds(5);
    Env env = client_->env();
    auto http = std::make_unique<Http1Client>(env.network, env.clock, env.executor, options);
    Http1Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    std::optional<Result<HttpResponse>> result;
    client_->spawn([](Http1Client& client, Http1Request request,
                      std::optional<Result<HttpResponse>>& out) -> Task<void> {
      out.emplace(co_await client.send(request));
    }(*http, std::move(request), result));
    const bool done = simulation_.run_until([&] { return result.has_value(); },
                                            simulation_.now_ns() + kMinute_ns);
    EXPECT_TRUE(done);
    if (!done) return Error(ErrorCode::kInternal, "test: hung");
    return std::move(*result);
  }

  sim::Simulation simulation_;
  sim::SimNode* server_ = nullptr;
  sim::SimNode* client_ = nullptr;
  int scrapes_ = 0;
};

TEST_F(MetricsEndpointTest, ServesMetricsRenderedAfreshForEveryRequest) {
  Result<HttpResponse> first = ask("GET", "/metrics");
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "up 1\n");
  Result<HttpResponse> second = ask("GET", "/");
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(second->body, "up 2\n");
}

TEST_F(MetricsEndpointTest, ServesEachPageAtItsPath) {
  Result<HttpResponse> page = ask("GET", "/status");
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->body, "<p>fine</p>");
}

TEST_F(MetricsEndpointTest, AnUnknownPathIs404NamingTheKnownOnes) {
  Result<HttpResponse> missing = ask("GET", "/secrets");
  ASSERT_TRUE(missing.ok()) << missing.error().to_string();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "try /metrics /status\n");
}

TEST_F(MetricsEndpointTest, AnotherMethodIs405AndRendersNothing) {
  Result<HttpResponse> posted = ask("POST", "/metrics");
  ASSERT_TRUE(posted.ok()) << posted.error().to_string();
  EXPECT_EQ(posted->status, 405);
  EXPECT_EQ(scrapes_, 0);
}

}  // namespace
}  // namespace lj
