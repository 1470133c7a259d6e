#include "prod/push/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "prod/logfile/digest.h"
#include "prod/push/curl_errors.h"
#include "prod/push/s3_listing.h"
#include "prod/text/base64.h"

namespace lj::push {
namespace {

constexpr size_t kMinPartSize = 5 << 20;  // S3 refuses smaller parts but the last

using Clock = std::chrono::steady_clock;

struct Response {
  long status = 0;
  std::string body;
  std::string etag;
  size_t max_body = 0;  // what the caller reads at most (kMaxObject for get, kMaxAnswer else)
};

// The text between <tag> and </tag>, or "".
std::string xml_text(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return "";
  const size_t end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return "";
  return std::string(xml.substr(start + open.size(), end - start - open.size()));
}

// Whether an XML answer's root element is <Error> (after an optional declaration).
bool is_error_document(std::string_view xml) {
  const auto skip_space = [&xml] {
    while (!xml.empty() && std::isspace(static_cast<unsigned char>(xml.front())))
      xml.remove_prefix(1);
  };
  skip_space();
  if (xml.starts_with("<?xml")) {
    const size_t end = xml.find("?>");
    if (end == std::string_view::npos) return false;
    xml.remove_prefix(end + 2);
    skip_space();
  }
  return xml.starts_with("<Error>");
}

// A store's answer is read whole: an object (get), or a short XML document. A hostile or broken
// store cannot make it grow without bound: past its cap the transfer fails.
constexpr size_t kMaxObject = 1ull << 30;
constexpr size_t kMaxAnswer = 1 << 20;
constexpr size_t kMaxListingPage = 8 << 20;  // 1,000 keys of up to 1 KiB each, and their XML
// An abort of a multipart upload gets a budget of its own: the put's deadline may be what failed.
constexpr auto kAbortBudget = std::chrono::seconds(5);

size_t append_body(char* data, size_t size, size_t count, void* out) {
  auto* response = static_cast<Response*>(out);
  if (response->body.size() + size * count > response->max_body) return 0;
  response->body.append(data, size * count);
  return size * count;
}

size_t read_header(char* data, size_t size, size_t count, void* out) {
  std::string_view line(data, size * count);
  constexpr std::string_view kEtag = "etag:";
  if (line.size() < kEtag.size()) return size * count;
  for (size_t i = 0; i < kEtag.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != kEtag[i]) return size * count;
  }
  std::string_view value = line.substr(kEtag.size());
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front())))
    value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back())))
    value.remove_suffix(1);
  static_cast<Response*>(out)->etag = std::string(value);
  return size * count;
}

}  // namespace

struct S3Client::Impl {
  S3Url url;
  S3Credential credential;
  S3Options options;
  CURL* curl = nullptr;  // kept between calls: its connection is reused
  Clock::time_point deadline;

  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  std::string escape(std::string_view text) {
    char* escaped = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
    std::string out = escaped == nullptr ? "" : escaped;
    curl_free(escaped);
    return out;
  }

  Result<Response> request(const char* method, std::string_view name, const std::string& query,
                           std::string_view body, const std::string& extra_header = "") {
    return send(method, url.object_url(name), query, body, extra_header);
  }

  // One signed request to `target` (a bucket's or an object's URL). `query` is canonical
  // already (sorted, escaped, every key with '='); `extra_header` is "" or one "Name: value".
  Result<Response> send(const char* method, const std::string& address, const std::string& query,
                        std::string_view body, const std::string& extra_header) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return Error(ErrorCode::kTimedOut, "S3 " + url.host + ": the put's deadline passed");
    if (curl == nullptr) curl = curl_easy_init();
    if (curl == nullptr) return Error(ErrorCode::kInternal, "curl_easy_init failed");
    curl_easy_reset(curl);
    const std::string target = address + (query.empty() ? "" : "?" + query);
    const std::string sigv4 = "aws:amz:" + url.region + ":s3";
    Response response;
    response.max_body = std::string_view(method) != "GET" ? kMaxAnswer
                        : query.empty()                   ? kMaxObject
                                                          : kMaxListingPage;
    curl_slist* headers = nullptr;
    const std::string sha = "x-amz-content-sha256: " + sha256_hex(body);
    const std::string md5 = "Content-MD5: " + base64_encode(md5_bytes(body));
    headers = curl_slist_append(headers, sha.c_str());
    if (!body.empty()) headers = curl_slist_append(headers, md5.c_str());
    // (Not "Expect:" to drop curl's 100-continue: curl 7.88 signs the empty header it then omits.)
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    if (!extra_header.empty()) headers = curl_slist_append(headers, extra_header.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, target.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, credential.access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, credential.secret_access_key.c_str());
    if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (std::string_view(method) == "GET") {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (std::string_view(method) == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    const std::string where = std::string(method) + " " + address;
    if (code != CURLE_OK) return curl_transport_error(code, where, "the store");
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    // CompleteMultipartUpload and CopyObject can fail after a 200, in their XML answer. Only
    // those answers are read so: an object's bytes (a GET) may hold any text, "<Error>" too.
    const bool answer_is_xml = std::string_view(method) == "POST" || !extra_header.empty();
    if (response.status / 100 != 2 || (answer_is_xml && is_error_document(response.body))) {
      return store_error(response, where);
    }
    return response;
  }

  static Error store_error(const Response& response, const std::string& where) {
    std::string message = where + ": HTTP " + std::to_string(response.status);
    const std::string code = xml_text(response.body, "Code").substr(0, 64);
    if (!code.empty())
      message += " " + code + ": " + xml_text(response.body, "Message").substr(0, 300);
    if (response.status == 403) return Error(ErrorCode::kPermissionDenied, message);
    if (response.status == 404) return Error(ErrorCode::kNotFound, message);
    if (response.status == 400 && code == "BadDigest") return Error(ErrorCode::kCorrupt, message);
    return Error(ErrorCode::kUnavailable, message);
  }

  Status put_multipart(std::string_view name, const std::string& contents) {
    Result<Response> started = request("POST", name, "uploads=", "");
    if (!started.ok()) return started.error();
    const std::string upload_id = xml_text(started->body, "UploadId");
    if (upload_id.empty())
      return Error(ErrorCode::kUnavailable, "S3 " + url.host + ": no UploadId in its answer");
    const std::string id = "uploadId=" + escape(upload_id);
    std::string complete = "<CompleteMultipartUpload>";
    const size_t part_size = std::max(kMinPartSize, options.part_size);
    for (size_t offset = 0, number = 1; offset < contents.size(); offset += part_size, ++number) {
      const std::string_view part = std::string_view(contents).substr(offset, part_size);
      Result<Response> sent =
          request("PUT", name, "partNumber=" + std::to_string(number) + "&" + id, part);
      if (!sent.ok() || sent->etag.empty()) {
        abort_upload(name, id);
        return sent.ok() ? Error(ErrorCode::kUnavailable, "S3: a part's answer had no ETag")
                         : sent.error();
      }
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
                  sent->etag + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Result<Response> done = request("POST", name, id, complete);
    if (!done.ok()) {
      abort_upload(name, id);
      return done.error();
    }
    return Status();
  }

  // The store drops the upload's parts (best effort: a bucket lifecycle rule removes what an
  // abort that never arrived leaves).
  void abort_upload(std::string_view name, const std::string& id) {
    deadline = std::max(deadline, Clock::now() + kAbortBudget);
    (void)request("DELETE", name, id, "");
  }
};

S3Client::S3Client(S3Url url, S3Credential credential, S3Options options)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(url), std::move(credential), std::move(options), nullptr, {}})) {}

S3Client::~S3Client() = default;

Status S3Client::put(std::string_view name, const std::string& contents) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  if (contents.size() > std::max(kMinPartSize, impl_->options.part_size))
    return impl_->put_multipart(name, contents);
  Result<Response> done = impl_->request("PUT", name, "", contents);
  return done.status();
}

Result<std::string> S3Client::get(std::string_view name) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  Result<Response> got = impl_->request("GET", name, "", "");
  if (!got.ok()) return got.error();
  return std::move(got->body);
}

Result<bool> S3Client::exists(std::string_view name) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  Result<Response> got = impl_->request("HEAD", name, "", "");
  if (got.ok()) return true;
  if (got.code() == ErrorCode::kNotFound) return false;
  return got.error();
}

Status S3Client::copy(std::string_view from, std::string_view to) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  return impl_->request("PUT", to, "", "", "x-amz-copy-source: " + impl_->url.copy_source(from))
      .status();
}

Status S3Client::remove(std::string_view name) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  Result<Response> done = impl_->request("DELETE", name, "", "");
  if (!done.ok() && done.code() == ErrorCode::kNotFound) return Status();
  return done.status();
}

Result<std::vector<std::string>> S3Client::list(std::string_view folder) {
  impl_->deadline = Clock::now() + impl_->options.timeout;
  const std::string under = impl_->url.prefix.empty() ? "" : impl_->url.prefix + "/";
  const std::string prefix = under + (folder.empty() ? "" : std::string(folder) + "/");
  std::vector<std::string> names;
  std::string token;
  do {
    // Canonical: the keys sorted, each value escaped.
    std::string query = token.empty() ? "" : "continuation-token=" + impl_->escape(token) + "&";
    query += "delimiter=%2F&list-type=2&prefix=" + impl_->escape(prefix);
    Result<Response> got = impl_->send("GET", impl_->url.bucket_url(), query, "", "");
    if (!got.ok()) return got.error();
    Result<S3ListingPage> page = parse_s3_listing(got->body);
    if (!page.ok()) return page.error();
    for (std::string& key : page->keys) {
      if (!key.starts_with(prefix) || key.find('/', prefix.size()) != std::string::npos) continue;
      names.push_back(key.substr(under.size()));
    }
    if (!page->next_token.empty() && page->next_token == token) {
      return Error(ErrorCode::kUnavailable,
                   "S3 " + impl_->url.host + ": a listing repeated its continuation token");
    }
    token = std::move(page->next_token);
  } while (!token.empty());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace lj::push
