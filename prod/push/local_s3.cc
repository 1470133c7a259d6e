#include "prod/push/local_s3.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "prod/push/local_server_support.h"
#include "prod/real/command_output.h"

namespace lj::push {
namespace {

constexpr const char* kServer = "/opt/lj-tools/s3rver/run.js";  // ci/tools/s3rver/run.js, installed

}  // namespace

std::string LocalS3::unusable_reason() {
  if (command_output("command -v node").empty())
    return "node is not installed (ci/setup installs it)";
  if (::access(kServer, R_OK) != 0) return std::string(kServer) + " is not installed (ci/setup)";
  return "";
}

std::string LocalS3::url(const std::string& prefix) const {
  return "s3://127.0.0.1:" + std::to_string(port()) + "/" + kBucket +
         (prefix.empty() ? "" : "/" + prefix);
}

std::string LocalS3::s3cmd() const {
  const std::string address = "127.0.0.1:" + std::to_string(port());
  return "s3cmd -c /dev/null --host=" + address + " --host-bucket=" + address +
         " --access_key=" + kAccessKeyId + " --secret_key=" + kSecretAccessKey +
         " --ssl --ca-certs=" + ca_file() + " --region=us-east-1";
}

std::string LocalS3::request_log() const {
  std::ifstream in(dir() + "/s3rver.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status LocalS3::start() {
  if (std::string reason = unusable_reason(); !reason.empty())
    return Error(ErrorCode::kUnavailable, reason);
  if (Status prepared = prepare("lj-s3"); !prepared.ok()) return prepared;
  const std::string& folder = dir();
  if (Status made = make_loopback_certificates(folder, "s3"); !made.ok()) return made;
  const std::string node =
      command_output("command -v node").substr(0, command_output("command -v node").find('\n'));
  const std::string log = folder + "/s3rver.log";
  // s3rver logs each request to stdout; a shell sends it to the log, `exec` keeps the server's pid
  // ours.
  return spawn({"/bin/sh", "-c",
                "exec " + node + " " + kServer + " -d " + folder + "/data -a 127.0.0.1 -p " +
                    std::to_string(port()) + " --key " + folder + "/s3.key --cert " + folder +
                    "/s3.crt --configure-bucket " + kBucket + " >" + log + " 2>&1"},
               log);
}

}  // namespace lj::push
