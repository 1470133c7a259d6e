#include "prod/push/s3_destinations.h"

#include <map>
#include <mutex>

#include "prod/push/blocking_calls.h"

namespace lj::push {

struct S3Destinations::Impl {
  Impl(S3DestinationsOptions options, BlockingCalls::Poster post)
      : options(std::move(options)), calls(this->options.threads, std::move(post)) {}
  S3DestinationsOptions options;
  BlockingCalls calls;
  std::mutex mutex;  // guards `open`
  std::map<std::string, std::weak_ptr<PushDestination>> open;
};

namespace {

// One bucket and prefix, one credential. Puts run on the pool, one at a time.
class S3Destination final : public PushDestination,
                            public std::enable_shared_from_this<S3Destination> {
 public:
  S3Destination(BlockingCalls& calls, S3Url url, S3Credential credential, S3Options options)
      : calls_(calls), client_(std::move(url), std::move(credential), std::move(options)) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    return calls_.run(shared_from_this(), [this, name, contents = std::move(contents)] {
      std::lock_guard lock(client_mutex_);
      return client_.put(name, contents);
    });
  }

 private:
  BlockingCalls& calls_;
  std::mutex client_mutex_;
  S3Client client_;
};

}  // namespace

S3Destinations::S3Destinations(S3DestinationsOptions options,
                               std::function<void(std::function<void()>)> post_to_loop)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(post_to_loop))) {}

S3Destinations::~S3Destinations() = default;

Result<std::shared_ptr<PushDestination>> S3Destinations::open(const PushTarget& target) {
  Result<S3Url> url = parse_s3_url(target.url);
  if (!url.ok()) return url.error();
  Result<S3Credential> credential =
      named_credential(impl_->options.credentials, target.credential, target.url);
  if (!credential.ok()) return credential.error();
  if (is_https_token(*credential)) {
    return Error(ErrorCode::kInvalidArgument,
                 "push to " + target.url + ": credential '" + target.credential +
                     "' is an HTTPS collector's token, not an S3 key pair");
  }
  std::lock_guard lock(impl_->mutex);
  const std::string key = target.url + " " + target.credential;
  if (std::shared_ptr<PushDestination> open = impl_->open[key].lock()) return open;
  std::shared_ptr<PushDestination> made = std::make_shared<S3Destination>(
      impl_->calls, std::move(*url), *credential, impl_->options.client);
  impl_->open[key] = made;
  return made;
}

Result<std::shared_ptr<PushDestination>> PushDestinationsByScheme::open(const PushTarget& target) {
  if (target.url.starts_with("s3://")) return s3_.open(target);
  if (target.url.starts_with("sftp://")) return sftp_.open(target);
  if (target.url.starts_with("syslog+tls://")) return syslog_.open(target);
  if (target.url.starts_with("https://")) return https_.open(target);
  return Error(ErrorCode::kInvalidArgument,
               "push url '" + target.url.substr(0, 200) +
                   "': Lumberjack pushes to sftp://, s3://, syslog+tls:// and https:// addresses");
}

}  // namespace lj::push
