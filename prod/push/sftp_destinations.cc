#include "prod/push/sftp_destinations.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <random>

#include "prod/push/blocking_calls.h"
#include "prod/push/sftp_url.h"

namespace lj::push {
namespace {

// One SSH connection with its SFTP channel. Blocking; one call at a time (callers hold a lock).
class SftpSession {
 public:
  SftpSession() = default;
  SftpSession(const SftpSession&) = delete;
  SftpSession& operator=(const SftpSession&) = delete;
  ~SftpSession() { close(); }

  // Connects if need be, then puts. Any failure closes the session: the next put starts afresh.
  Status put(const SftpUrl& url, const std::string& host_key, const SftpOptions& options,
             const std::string& name, const std::string& contents) {
    Status status = sftp_ != nullptr ? Status() : connect(url, host_key, options);
    if (status.ok()) status = put_connected(url.folder, name, contents);
    if (!status.ok()) close();
    return status;
  }

 private:
  Status fail(ErrorCode code, const std::string& what) const {
    std::string message = what;
    if (ssh_ != nullptr && *ssh_get_error(ssh_) != '\0')
      message += ": " + std::string(ssh_get_error(ssh_));
    if (sftp_ != nullptr) message += " (sftp status " + std::to_string(sftp_get_error(sftp_)) + ")";
    if (message.find("imeout") != std::string::npos) code = ErrorCode::kTimedOut;
    return Error(code, message);
  }

  Status connect(const SftpUrl& url, const std::string& host_key, const SftpOptions& options) {
    const std::string where = url.host + ":" + std::to_string(url.port);
    ssh_ = ssh_new();
    if (ssh_ == nullptr) return Error(ErrorCode::kUnavailable, "libssh: ssh_new failed");
    unsigned int port = url.port;
    long timeout_s = static_cast<long>(options.timeout.count());
    bool no = false;
    ssh_options_set(ssh_, SSH_OPTIONS_HOST, url.host.c_str());
    ssh_options_set(ssh_, SSH_OPTIONS_PORT, &port);
    ssh_options_set(ssh_, SSH_OPTIONS_USER, url.user.c_str());
    ssh_options_set(ssh_, SSH_OPTIONS_TIMEOUT, &timeout_s);
    ssh_options_set(ssh_, SSH_OPTIONS_PROCESS_CONFIG, &no);  // ~/.ssh/config is not the customer's
    if (ssh_connect(ssh_) != SSH_OK) return fail(ErrorCode::kUnavailable, "connecting to " + where);
    // A peer that stops acknowledging (power lost, link black-holed) ends writes by this too.
    const socket_t fd = ssh_get_fd(ssh_);
    const unsigned int user_timeout_ms = static_cast<unsigned int>(options.timeout.count() * 1000);
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    if (Status s = check_host_key(where, host_key); !s.ok()) return s;
    ssh_key identity = nullptr;
    if (ssh_pki_import_privkey_file(options.identity_file.c_str(), nullptr, nullptr, nullptr,
                                    &identity) != SSH_OK) {
      return Error(ErrorCode::kInvalidArgument, "cannot read Lumberjack's push key " +
                                                    options.identity_file + " (--push-ssh-key)");
    }
    const int auth = ssh_userauth_publickey(ssh_, nullptr, identity);
    ssh_key_free(identity);
    if (auth != SSH_AUTH_SUCCESS) {
      return fail(ErrorCode::kPermissionDenied, where + " refused Lumberjack's push key for user " +
                                                    url.user + " (is it in its authorized_keys?)");
    }
    sftp_ = sftp_new(ssh_);
    if (sftp_ == nullptr || sftp_init(sftp_) != SSH_OK)
      return fail(ErrorCode::kUnavailable, "starting SFTP on " + where);
    return Status();
  }

  Status check_host_key(const std::string& where, const std::string& expected) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(ssh_, &key) != SSH_OK)
      return fail(ErrorCode::kUnavailable, where + " sent no host key");
    unsigned char* hash = nullptr;
    size_t length = 0;
    const int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &length);
    ssh_key_free(key);
    if (rc != SSH_OK) return fail(ErrorCode::kUnavailable, "hashing the host key of " + where);
    char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length);
    ssh_clean_pubkey_hash(&hash);
    const std::string fingerprint = text == nullptr ? "" : text;
    ssh_string_free_char(text);
    if (fingerprint != expected) {
      return Error(ErrorCode::kPermissionDenied,
                   where + " presents host key " + fingerprint + ", not " + expected +
                       " as the customer's configuration says: nothing is sent to it");
    }
    return Status();
  }

  Status make_folder(const std::string& folder) {
    if (sftp_attributes existing = sftp_stat(sftp_, folder.c_str()); existing != nullptr) {
      sftp_attributes_free(existing);
      return Status();
    }
    for (size_t slash = folder.find('/', 1);; slash = folder.find('/', slash + 1)) {
      const std::string prefix = folder.substr(0, slash);
      if (sftp_attributes existing = sftp_stat(sftp_, prefix.c_str()); existing != nullptr) {
        sftp_attributes_free(existing);
      } else if (sftp_mkdir(sftp_, prefix.c_str(), 0755) != 0) {
        return fail(ErrorCode::kIoError, "creating the folder " + prefix);
      }
      if (slash == std::string::npos) return Status();
    }
  }

  Status put_connected(const std::string& folder, const std::string& name,
                       const std::string& contents) {
    if (Status s = make_folder(folder); !s.ok()) return s;
    const std::string final_path = folder + "/" + name;
    const std::string part = folder + "/." + name + ".part-" + random_suffix();
    sftp_file file = sftp_open(sftp_, part.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (file == nullptr) return fail(ErrorCode::kIoError, "creating " + part);
    Status written = write_all(file, part, contents);
    if (written.ok() && sftp_extension_supported(sftp_, "fsync@openssh.com", "1") &&
        sftp_fsync(file) != 0) {
      written = fail(ErrorCode::kIoError, "fsync of " + part);
    }
    if (sftp_close(file) != SSH_NO_ERROR && written.ok())
      written = fail(ErrorCode::kIoError, "closing " + part);
    if (!written.ok()) {
      sftp_unlink(sftp_, part.c_str());
      return written;
    }
    if (sftp_rename(sftp_, part.c_str(), final_path.c_str()) == 0) return Status();
    // The name is taken (SFTP v3 renames never replace): by this very file, pushed before and
    // its answer lost, or by other bytes (an ownership check's earlier token, a stranger's
    // file): the same bytes are done, others are replaced.
    sftp_attributes existing = sftp_stat(sftp_, final_path.c_str());
    const bool same_size = existing != nullptr && existing->size == contents.size();
    if (existing != nullptr) sftp_attributes_free(existing);
    if (same_size && holds(final_path, contents)) {
      sftp_unlink(sftp_, part.c_str());
      return Status();
    }
    if (existing != nullptr && sftp_unlink(sftp_, final_path.c_str()) == 0 &&
        sftp_rename(sftp_, part.c_str(), final_path.c_str()) == 0) {
      return Status();
    }
    Status status = fail(ErrorCode::kIoError, "renaming " + part + " to " + final_path);
    sftp_unlink(sftp_, part.c_str());
    return status;
  }

  // Whether the file at `path` holds exactly `contents` (read back; only when a name is taken).
  bool holds(const std::string& path, const std::string& contents) {
    sftp_file file = sftp_open(sftp_, path.c_str(), O_RDONLY, 0);
    if (file == nullptr) return false;
    constexpr size_t kChunk = 32 * 1024;
    std::string buffer(kChunk, '\0');
    size_t offset = 0;
    bool same = true;
    while (same) {
      const ssize_t n = sftp_read(file, buffer.data(), kChunk);
      if (n < 0) same = false;
      if (n <= 0) break;
      const auto got = static_cast<size_t>(n);
      same = offset + got <= contents.size() && contents.compare(offset, got, buffer, 0, got) == 0;
      offset += got;
    }
    sftp_close(file);
    return same && offset == contents.size();
  }

  Status write_all(sftp_file file, const std::string& path, const std::string& contents) {
    constexpr size_t kChunk = 32 * 1024;  // within every server's packet limit
    for (size_t offset = 0; offset < contents.size();) {
      const size_t size = std::min(kChunk, contents.size() - offset);
      const ssize_t n = sftp_write(file, contents.data() + offset, size);
      if (n <= 0) return fail(ErrorCode::kIoError, "writing " + path);
      offset += static_cast<size_t>(n);
    }
    return Status();
  }

  static std::string random_suffix() {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(generator()));
    return text;
  }

  void close() {
    if (sftp_ != nullptr) sftp_free(sftp_);
    sftp_ = nullptr;
    if (ssh_ != nullptr) {
      ssh_disconnect(ssh_);
      ssh_free(ssh_);
    }
    ssh_ = nullptr;
  }

  ssh_session ssh_ = nullptr;
  sftp_session sftp_ = nullptr;
};

}  // namespace

struct SftpDestinations::Impl {
  Impl(SftpOptions options, BlockingCalls::Poster post)
      : options(std::move(options)), calls(this->options.threads, std::move(post)) {}
  SftpOptions options;
  BlockingCalls calls;
  std::mutex mutex;  // guards `open`
  std::map<std::string, std::weak_ptr<PushDestination>> open;
};

namespace {

// One server and folder. Puts run on the pool, one at a time; their answers on the loop.
class SftpDestination final : public PushDestination,
                              public std::enable_shared_from_this<SftpDestination> {
 public:
  SftpDestination(const SftpOptions& options, BlockingCalls& calls, SftpUrl url,
                  std::string host_key)
      : options_(options), calls_(calls), url_(std::move(url)), host_key_(std::move(host_key)) {}

  Task<Status> put(const std::string& name, std::string contents) override {
    return calls_.run(shared_from_this(), [this, name, contents = std::move(contents)] {
      std::lock_guard lock(session_mutex_);
      return session_.put(url_, host_key_, options_, name, contents);
    });
  }

 private:
  const SftpOptions& options_;
  BlockingCalls& calls_;
  SftpUrl url_;
  std::string host_key_;
  std::mutex session_mutex_;
  SftpSession session_;
};

}  // namespace

SftpDestinations::SftpDestinations(SftpOptions options,
                                   std::function<void(std::function<void()>)> post_to_loop)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(post_to_loop))) {}

SftpDestinations::~SftpDestinations() = default;

Result<std::shared_ptr<PushDestination>> SftpDestinations::open(const PushTarget& target) {
  Result<SftpUrl> url = parse_sftp_url(target.url);
  if (!url.ok()) return url.error();
  if (!target.host_key.starts_with("SHA256:")) {
    return Error(ErrorCode::kInvalidArgument,
                 "push to " + target.url +
                     ": no host key to check the server against (SHA256:..., as "
                     "`ssh-keygen -lf <host key>.pub` prints it)");
  }
  if (impl_->options.identity_file.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "push to " + target.url + ": this Lumberjack has no --push-ssh-key");
  }
  std::lock_guard lock(impl_->mutex);
  const std::string key = target.url + " " + target.host_key;
  if (std::shared_ptr<PushDestination> open = impl_->open[key].lock()) return open;
  std::shared_ptr<PushDestination> made = std::make_shared<SftpDestination>(
      impl_->options, impl_->calls, std::move(*url), target.host_key);
  impl_->open[key] = made;
  return made;
}

}  // namespace lj::push
