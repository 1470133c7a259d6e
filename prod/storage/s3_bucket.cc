#include "prod/storage/s3_bucket.h"

#include <mutex>
#include <optional>
#include <vector>

#include "prod/push/blocking_calls.h"

namespace lj {

struct S3Bucket::Impl {
  Impl(S3BucketOptions options, push::BlockingCalls::Poster post)
      : options(std::move(options)), calls(this->options.threads, std::move(post)) {}

  // Runs `call` on a client of its own, off the loop. A client is taken from the idle ones (or
  // made) and given back after, so a connection serves one call at a time.
  Task<Status> run(std::function<Status(push::S3Client&)> call) {
    return calls.run(nullptr, [this, call = std::move(call)] {
      std::unique_ptr<push::S3Client> client = take_client();
      Status status = call(*client);
      give_back(std::move(client));
      return status;
    });
  }

  // As run(), for a call with a value: `out` is shared with the thread, so a caller destroyed
  // meanwhile leaves the thread nothing dangling to write to. (Not a coroutine itself: GCC 12
  // mishandles a lambda that moves a coroutine's parameter.)
  template <typename T>
  Task<Result<T>> fetch(std::function<Result<T>(push::S3Client&)> call) {
    auto out = std::make_shared<std::optional<T>>();
    return value_of(out, run([out, call = std::move(call)](push::S3Client& client) {
                      Result<T> got = call(client);
                      if (!got.ok()) return Status(got.error());
                      out->emplace(std::move(*got));
                      return Status();
                    }));
  }

  template <typename T>
  static Task<Result<T>> value_of(std::shared_ptr<std::optional<T>> out, Task<Status> call) {
    const Status status = co_await std::move(call);
    if (!status.ok()) co_return status.error();
    co_return std::move(**out);
  }

  std::unique_ptr<push::S3Client> take_client() {
    {
      std::lock_guard lock(mutex);
      if (!idle.empty()) {
        std::unique_ptr<push::S3Client> client = std::move(idle.back());
        idle.pop_back();
        return client;
      }
    }
    return std::make_unique<push::S3Client>(options.url, options.credential, options.client);
  }

  void give_back(std::unique_ptr<push::S3Client> client) {
    std::lock_guard lock(mutex);
    idle.push_back(std::move(client));
  }

  S3BucketOptions options;
  std::mutex mutex;  // guards `idle`
  std::vector<std::unique_ptr<push::S3Client>> idle;
  push::BlockingCalls calls;  // last: destroyed (its threads joined) before the clients
};

S3Bucket::S3Bucket(S3BucketOptions options, std::function<void(std::function<void()>)> post)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(post))) {}

S3Bucket::~S3Bucket() = default;

Task<Status> S3Bucket::put(const std::string& name, std::string contents) {
  return impl_->run([name, contents = std::move(contents)](push::S3Client& client) {
    return client.put(name, contents);
  });
}

Task<Result<std::string>> S3Bucket::get(const std::string& name) {
  return impl_->fetch<std::string>([name](push::S3Client& client) { return client.get(name); });
}

Task<Result<bool>> S3Bucket::exists(const std::string& name) {
  return impl_->fetch<bool>([name](push::S3Client& client) { return client.exists(name); });
}

Task<Status> S3Bucket::copy(const std::string& from, const std::string& to) {
  return impl_->run([from, to](push::S3Client& client) { return client.copy(from, to); });
}

Task<Status> S3Bucket::remove(const std::string& name) {
  return impl_->run([name](push::S3Client& client) { return client.remove(name); });
}

Task<Result<std::vector<std::string>>> S3Bucket::list(const std::string& dir) {
  return impl_->fetch<std::vector<std::string>>(
      [dir](push::S3Client& client) { return client.list(dir); });
}

}  // namespace lj
