#include "prod/http/metrics_endpoint.h"

namespace lj {

namespace {

constexpr size_t kMaxRequestBytes = 8192;

std::string response(std::string_view status, std::string_view content_type,
                     std::string_view body) {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         std::string(body);
}

}  // namespace

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(Env env, const std::string& address,
                                                                std::function<std::string()> render,
                                                                std::map<std::string, Page> pages) {
  Result<std::unique_ptr<Listener>> listener = env.network.listen(address);
  if (!listener.ok()) return listener.error();
  std::unique_ptr<MetricsEndpoint> endpoint(
      new MetricsEndpoint(env, std::move(*listener), std::move(render), std::move(pages)));
  env.executor.spawn(endpoint->accept_loop());
  return endpoint;
}

Task<void> MetricsEndpoint::accept_loop() {
  while (true) {
    Result<std::unique_ptr<Connection>> connection = co_await listener_->accept();
    if (!connection.ok()) {
      if (connection.code() == ErrorCode::kCancelled) co_return;
      continue;
    }
    connections_.start(answer(std::move(*connection)));
  }
}

Task<void> MetricsEndpoint::answer(std::unique_ptr<Connection> connection) {
  std::string request;
  char buffer[1024];
  while (request.find("\r\n\r\n") == std::string::npos) {
    if (request.size() > kMaxRequestBytes) {
      const std::string reply =
          response("431 Request Header Fields Too Large", "text/plain", "request too large\n");
      (void)co_await write_all(*connection, std::as_bytes(std::span(reply)));
      co_return;
    }
    Result<size_t> got = co_await connection->read_some(std::as_writable_bytes(std::span(buffer)));
    if (!got.ok() || *got == 0) co_return;
    request.append(buffer, *got);
  }
  std::string reply;
  const size_t path_end = request.find(' ', 4);
  const std::string path = request.starts_with("GET ") && path_end != std::string::npos
                               ? request.substr(4, path_end - 4)
                               : "";
  auto page = pages_.find(path);
  if (path == "/metrics" || path == "/") {
    reply = response("200 OK", "text/plain; version=0.0.4", render_());
  } else if (page != pages_.end()) {
    reply = response("200 OK", page->second.content_type, page->second.render());
  } else if (request.starts_with("GET ")) {
    std::string paths = "/metrics";
    for (const auto& [known, unused] : pages_) paths += " " + known;
    reply = response("404 Not Found", "text/plain", "try " + paths + "\n");
  } else {
    reply = response("405 Method Not Allowed", "text/plain", "GET only\n");
  }
  (void)co_await write_all(*connection, std::as_bytes(std::span(reply)));
}

}  // namespace lj
