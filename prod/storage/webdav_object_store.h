#pragma once
// WebDavObjectStore: the ObjectStore (prod/io/object_store.h) over HTTP/1.1 against a WebDAV
// server - nginx with ngx_http_dav_module - on the Network seam, through the shared HTTP/1.1
// client (prod/http/http1_client.h): one connection per call, "Connection: close", so no
// response framing is ever shared between calls.
//
//   put     PUT <base>/<name>                  2xx: ok
//   get     GET <base>/<name>                  200 with its body; 404, 301 (a folder): kNotFound
//   rename  MOVE <base>/<from>, "Destination: <base>/<to>", "Overwrite: F"
//                                              2xx: ok; 404, 400 (a folder): kNotFound;
//                                              412 (`to` exists, nothing moved): kAlreadyExists
//   remove  DELETE <base>/<name>               2xx, 404, 409 (a folder; a path through an
//                                              object): ok - there is no such object
//   list    GET <base>/<dir>/ read as nginx's JSON autoindex, files only; 404: empty
//
// The server needs: dav_methods PUT DELETE MOVE; create_full_put_path on; autoindex on;
// autoindex_format json; client_max_body_size above the largest object; and the body temp
// path outside the served root (nginx writes a PUT there, then renames it into place).
//
// Errors: connection failures, early ends of stream and 5xx are kUnavailable ("may or may not
// have been applied"); a call longer than `timeout` is kTimedOut; 409 on put or rename is
// kAlreadyExists; 413 kTooLarge; 401/403 kPermissionDenied; a malformed or oversized response
// kCorrupt or kTooLarge (the HTTP client parses defensively, bodies bounded by
// max_object_bytes; a content-coded body is kCorrupt).
//
// What nginx does not give, and what this client does about it:
//  - nginx fsyncs neither the file of a PUT nor the folder of a PUT or MOVE: "durable on ok"
//    holds only as far as the server's file system commits by itself.
//  - nginx answers a PUT under a path through an existing object with 500; put() then asks
//    (HEAD) whether an ancestor is an object and, if so, says kAlreadyExists as the others do.
//  - nginx's autoindex hides names starting with '.': such objects work but are never listed.
//  - Timeouts: each call spawns a watchdog on `executor` that sleeps `timeout` (lingering that
//    long even after the call ends) and closes the connection if the call is still running.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "prod/http/http1_client.h"
#include "prod/io/clock.h"
#include "prod/io/executor.h"
#include "prod/io/network.h"
#include "prod/io/object_store.h"
#include "prod/storage/webdav_listing.h"

namespace lj {

struct WebDavOptions {
  std::string address;      // "host:port" of the server
  std::string host_header;  // the Host header; `address` if empty
  std::string base_path =
      "/objects";  // URL path of the store's top folder: leading '/', no trailing
  size_t max_head_bytes = 16 * 1024;
  uint64_t max_object_bytes = 256ull << 20;
  Duration timeout = std::chrono::seconds(120);  // per call; zero: none
  // Sent with every request when the user name is set (nginx: auth_basic on the store's
  // location). Reach the store over TLS (a TlsNetwork) so they never cross in clear.
  // REQUIRES: basic_authorization(credentials) is ok (check user input with it first).
  BasicCredentials credentials;
};

class WebDavObjectStore final : public ObjectStore {
 public:
  // `executor` runs one watchdog per call, which closes the call's connection at the timeout.
  WebDavObjectStore(Network& network, Clock& clock, Executor& executor, WebDavOptions options);

  Task<Status> put(const std::string& name, std::string contents) override;
  Task<Result<std::string>> get(const std::string& name) override;
  Task<Status> rename(const std::string& from, const std::string& to) override;
  Task<Status> remove(const std::string& name) override;
  Task<Result<std::vector<std::string>>> list(const std::string& dir) override;

 private:
  std::string target_of(const std::string& name) const;
  Http1Request request(std::string method, const std::string& target, std::string headers,
                       bool read_body) const;
  // The HTTP client's errors as the ObjectStore contract words them.
  Task<Result<HttpResponse>> exchange(const Http1Request& request);

  // nginx answers a PUT under a path through an existing object with 500 ("may have been
  // applied"); a HEAD of each ancestor tells that case apart, and put() says kAlreadyExists.
  Task<std::optional<std::string>> object_among_ancestors(const std::string& name);

  WebDavOptions options_;
  std::string authorization_;  // the header line every request carries, or empty
  Http1Client http_;           // REQUIRES: after options_, from which it is made
};

}  // namespace lj
