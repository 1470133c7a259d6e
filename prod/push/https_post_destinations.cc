#include "prod/push/https_post_destinations.h"

#include <curl/curl.h>

#include "prod/delivery/push_payloads.h"
#include "prod/logfile/log_file_format.h"
#include "prod/push/blocking_calls.h"
#include "prod/push/curl_errors.h"
#include "prod/push/https_url.h"

namespace lj::push {

struct HttpsPostDestinations::Impl {
  Impl(HttpsPostDestinationsOptions options, BlockingCalls::Poster post)
      : options(std::move(options)), calls(this->options.threads, std::move(post)) {}
  HttpsPostDestinationsOptions options;
  BlockingCalls calls;
};

namespace {

constexpr size_t kMaxAnswer = 64 * 1024;  // a collector's answer beyond this is not read

size_t keep_answer(char* data, size_t size, size_t count, void* out) {
  auto* answer = static_cast<std::string*>(out);
  const size_t bytes = size * count;
  answer->append(data, std::min(bytes, kMaxAnswer - std::min(kMaxAnswer, answer->size())));
  return bytes;
}

// One POST of `body`; ok on a 2xx answer.
Status post(const HttpsUrl& url, const S3Credential& credential, const std::string& ca_pem,
            const std::string& ca_file, std::chrono::milliseconds timeout,
            const std::vector<std::string>& header_lines, const std::string& body) {
  const std::string where = "POST " + url.to_string();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Error(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();
  const std::string target = url.to_string();
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  curl_blob ca{const_cast<char*>(ca_pem.data()), ca_pem.size(), CURL_BLOB_COPY};
  // A CA given is the only one trusted: curl's default CA directory is dropped with it.
  if (!ca_pem.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  } else if (!ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  }
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_slist* headers = nullptr;
  const std::string authorization =
      "Authorization: " + credential.access_key_id + " " + credential.secret_access_key;
  headers = curl_slist_append(headers, authorization.c_str());
  headers = curl_slist_append(headers, "Expect:");  // the body goes at once: no 100-continue
  for (const std::string& line : header_lines) headers = curl_slist_append(headers, line.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  std::string answer;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_answer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return curl_transport_error(code, where, "the collector");
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status / 100 == 2) return Status();
  std::string said = answer.substr(0, 200);
  for (char& ch : said) {
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  }
  const std::string message = where + ": HTTP " + std::to_string(status) + " " + said;
  if (status == 401 || status == 403) return Error(ErrorCode::kPermissionDenied, message);
  return Error(ErrorCode::kUnavailable, message);
}

// One collector, as one customer's configuration names it, with its credential.
class HttpsPostDestination final : public PushDestination,
                                   public std::enable_shared_from_this<HttpsPostDestination> {
 public:
  HttpsPostDestination(const HttpsPostDestinationsOptions& options, BlockingCalls& calls,
                       HttpsUrl url, S3Credential credential, std::string ca_pem)
      : options_(options),
        calls_(calls),
        url_(std::move(url)),
        credential_(std::move(credential)),
        ca_pem_(std::move(ca_pem)) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    return calls_.run(shared_from_this(), [this, name, contents = std::move(contents)] {
      Result<delivery::HttpsPushBody> body =
          delivery::https_push_body(name, contents, options_.push_key.get());
      if (!body.ok()) return Status(body.error());
      std::vector<std::string> headers;
      if (!body->file.empty()) {
        headers.push_back(body->format == LogFormat::kJson
                              ? "Content-Type: application/x-ndjson; charset=utf-8"
                              : "Content-Type: text/plain; charset=utf-8");
        headers.push_back("X-Lumberjack-File: " + body->file);
        headers.push_back("X-Lumberjack-Events: " + std::to_string(body->events));
      } else {
        headers.push_back("Content-Type: text/plain; charset=utf-8");
        headers.push_back("X-Lumberjack-Challenge: yes");
      }
      return post(url_, credential_, ca_pem_, options_.ca_file, options_.timeout, headers,
                  body->body);
    });
  }

 private:
  const HttpsPostDestinationsOptions& options_;
  BlockingCalls& calls_;
  const HttpsUrl url_;
  const S3Credential credential_;
  const std::string ca_pem_;
};

}  // namespace

HttpsPostDestinations::HttpsPostDestinations(
    HttpsPostDestinationsOptions options, std::function<void(std::function<void()>)> post_to_loop)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(post_to_loop))) {}

HttpsPostDestinations::~HttpsPostDestinations() = default;

Result<std::shared_ptr<PushDestination>> HttpsPostDestinations::open(const PushTarget& target) {
  Result<HttpsUrl> url = parse_https_url(target.url);
  if (!url.ok()) return url.error();
  Result<S3Credential> credential =
      named_credential(impl_->options.credentials, target.credential, target.url);
  if (!credential.ok()) return credential.error();
  // An S3 key pair is never sent as a collector's token (a credential named by mistake would
  // hand its secret to the collector).
  if (!is_https_token(*credential)) {
    return Error(ErrorCode::kInvalidArgument,
                 "push to " + target.url + ": credential '" + target.credential +
                     "' is not a collector's token (a line NAME Splunk|Bearer TOKEN)");
  }
  return std::shared_ptr<PushDestination>(std::make_shared<HttpsPostDestination>(
      impl_->options, impl_->calls, std::move(*url), *credential, target.ca_pem));
}

}  // namespace lj::push
