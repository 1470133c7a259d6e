#include "prod/storage/webdav_object_store.h"

#include <algorithm>
#include <optional>

#include "prod/io/invariant.h"

namespace lj {

namespace {

// The error for an HTTP status no caller-specific rule took.
Error status_error(int status, const std::string& what) {
  const std::string text = what + ": HTTP " + std::to_string(status);
  switch (status) {
    case 404:
      return Error(ErrorCode::kNotFound, text);
    case 409:
      return Error(
          ErrorCode::kAlreadyExists,
          text + " (an object is where a folder is needed, or a folder where an object is)");
    case 413:
      return Error(ErrorCode::kTooLarge, text);
    case 401:
    case 403:
      return Error(ErrorCode::kPermissionDenied, text);
    case 400:
    case 414:
    case 431:
      return Error(ErrorCode::kInvalidArgument, text);
    default:
      break;
  }
  if (status >= 500) return Error(ErrorCode::kUnavailable, text + " (may have been applied)");
  return Error(ErrorCode::kInternal, text + " (unexpected)");
}

bool is_success(int status) {
  return status >= 200 && status <= 299;
}

Http1ClientOptions http_options(const WebDavOptions& options) {
  Http1ClientOptions http;
  http.address = options.address;
  http.host_header = options.host_header;
  http.max_head_bytes = options.max_head_bytes;
  http.max_body_bytes = options.max_object_bytes;
  http.timeout = options.timeout;
  http.user_agent = "lumberjack";
  return http;
}

}  // namespace

WebDavObjectStore::WebDavObjectStore(Network& network, Clock& clock, Executor& executor,
                                     WebDavOptions options)
    : options_(std::move(options)), http_(network, clock, executor, http_options(options_)) {
  LJ_ASSERT(options_.base_path.starts_with('/') && !options_.base_path.ends_with('/'));
  Result<std::string> authorization = basic_authorization(options_.credentials);
  LJ_ASSERT(authorization.ok());
  authorization_ = std::move(*authorization);
}

std::string WebDavObjectStore::target_of(const std::string& name) const {
  return options_.base_path + "/" + percent_encode_path(name);
}

Task<Result<HttpResponse>> WebDavObjectStore::exchange(const Http1Request& request) {
  Result<HttpResponse> response = co_await http_.send(request);
  if (response.ok()) co_return response;
  // After the request left, the server may have applied it: kUnavailable, whichever way the
  // connection failed. A timeout, a malformed or oversized answer keep their own codes.
  const ErrorCode code = response.code();
  if (code == ErrorCode::kTimedOut || code == ErrorCode::kCorrupt || code == ErrorCode::kTooLarge ||
      code == ErrorCode::kInvalidArgument) {
    co_return Error(code, "webdav " + response.error().message());
  }
  co_return Error(ErrorCode::kUnavailable, "webdav " + response.error().to_string());
}

Http1Request WebDavObjectStore::request(std::string method, const std::string& target,
                                        std::string headers, bool read_body) const {
  Http1Request request;
  request.method = std::move(method);
  request.target = target;
  request.headers = authorization_ + std::move(headers);
  request.read_body = read_body;
  return request;
}

Task<Status> WebDavObjectStore::put(const std::string& name, std::string contents) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s;
  if (contents.size() > options_.max_object_bytes) {
    co_return Error(ErrorCode::kTooLarge, "put " + name + ": " + std::to_string(contents.size()) +
                                              " bytes exceed the limit of " +
                                              std::to_string(options_.max_object_bytes));
  }
  Http1Request upload = request("PUT", target_of(name),
                                "Content-Type: application/octet-stream\r\nContent-Length: " +
                                    std::to_string(contents.size()) + "\r\n",
                                false);
  upload.body = contents;
  Result<HttpResponse> response = co_await exchange(upload);
  if (!response.ok()) co_return response.status();
  if (is_success(response->status)) co_return Status();
  if (response->status == 500) {
    std::optional<std::string> blocker = co_await object_among_ancestors(name);
    if (blocker.has_value()) {
      co_return Error(ErrorCode::kAlreadyExists,
                      "put " + name + ": object '" + *blocker + "' is where a folder is needed");
    }
  }
  co_return status_error(response->status, "put " + name);
}

Task<std::optional<std::string>> WebDavObjectStore::object_among_ancestors(
    const std::string& name) {
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    std::string ancestor = name.substr(0, slash);
    const Http1Request head = request("HEAD", target_of(ancestor), "", false);
    Result<HttpResponse> response = co_await exchange(head);
    if (response.ok() && response->status == 200) co_return std::move(ancestor);
  }
  co_return std::nullopt;
}

Task<Result<std::string>> WebDavObjectStore::get(const std::string& name) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s.error();
  const Http1Request download = request("GET", target_of(name), "", true);
  Result<HttpResponse> response = co_await exchange(download);
  if (!response.ok()) co_return response.error();
  const int status = response->status;
  if (status == 200) co_return std::move(response->body);
  if (status == 301 || status == 302 || status == 307 ||
      status == 308) {  // nginx: "it is a folder"
    co_return Error(ErrorCode::kNotFound, "get " + name + ": a folder, not an object");
  }
  co_return status_error(status, "get " + name);
}

Task<Status> WebDavObjectStore::rename(const std::string& from, const std::string& to) {
  if (Status s = validate_object_name(from); !s.ok()) co_return s;
  if (Status s = validate_object_name(to); !s.ok()) co_return s;
  const Http1Request move = request(
      "MOVE", target_of(from), "Destination: " + target_of(to) + "\r\nOverwrite: F\r\n", false);
  Result<HttpResponse> response = co_await exchange(move);
  if (!response.ok()) co_return response.status();
  const int status = response->status;
  if (is_success(status)) co_return Status();
  // RFC 4918 9.9.4: with "Overwrite: F" an existing destination is 412, and nothing moved.
  if (status == 412)
    co_return Error(ErrorCode::kAlreadyExists, "rename " + from + ": '" + to + "' exists");
  // nginx refuses to MOVE a folder to a non-folder name with 400: there is no object `from`.
  if (status == 400)
    co_return Error(ErrorCode::kNotFound, "rename " + from + ": a folder, not an object");
  co_return status_error(status, "rename " + from + " to " + to);
}

Task<Status> WebDavObjectStore::remove(const std::string& name) {
  if (Status s = validate_object_name(name); !s.ok()) co_return s;
  const Http1Request del = request("DELETE", target_of(name), "", false);
  Result<HttpResponse> response = co_await exchange(del);
  if (!response.ok()) co_return response.status();
  const int status = response->status;
  // 404: absent; 409: a folder, or a path through an object - either way no such object.
  if (is_success(status) || status == 404 || status == 409) co_return Status();
  co_return status_error(status, "remove " + name);
}

Task<Result<std::vector<std::string>>> WebDavObjectStore::list(const std::string& dir) {
  std::string target = options_.base_path + "/";
  if (!dir.empty()) {
    if (Status s = validate_object_name(dir); !s.ok()) co_return s.error();
    target += percent_encode_path(dir) + "/";
  }
  const Http1Request listing = request("GET", target, "", true);
  Result<HttpResponse> response = co_await exchange(listing);
  if (!response.ok()) co_return response.error();
  if (response->status == 404) co_return std::vector<std::string>();
  if (response->status != 200) co_return status_error(response->status, "list " + dir);
  Result<std::vector<std::string>> files = parse_autoindex_json_files(response->body);
  if (!files.ok()) co_return files.error();
  if (!dir.empty()) {
    for (std::string& file : *files) file = dir + "/" + file;
  }
  co_return std::move(files);
}

}  // namespace lj
