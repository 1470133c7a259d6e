#include "prod/storage/local_nginx_dav.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "prod/real/command_output.h"

extern char** environ;

namespace lj {

namespace {

std::string nginx_binary() {
  std::string binary = command_output("command -v nginx || ls /usr/sbin/nginx 2>/dev/null");
  binary = binary.substr(0, binary.find('\n'));
  while (!binary.empty() && binary.back() == ' ') binary.pop_back();
  return binary;
}

}  // namespace

std::string LocalNginxDav::unusable_reason() {
  const std::string binary = nginx_binary();
  if (binary.empty()) return "nginx is not installed";
  if (command_output(binary + " -V 2>&1").find("--with-http_dav_module") == std::string::npos) {
    return binary + " was built without --with-http_dav_module";
  }
  return "";
}

Status LocalNginxDav::start(RealRuntime& runtime) {
  if (std::string reason = unusable_reason(); !reason.empty())
    return Error(ErrorCode::kUnavailable, reason);
  std::string pattern = (std::filesystem::temp_directory_path() / "lj-nginx-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Error(ErrorCode::kIoError, "mkdtemp " + pattern);
  dir_ = pattern;
  std::filesystem::create_directories(dir_ + "/www/objects");
  std::filesystem::create_directories(dir_ + "/temp");
  // A free port: bound, read and released (nginx binds it a moment later).
  auto listener = runtime.env().network.listen("127.0.0.1:0");
  if (!listener.ok()) return listener.status();
  address_ = (*listener)->address();
  (*listener)->close();
  listener->reset();

  write_config();
  const std::string binary = nginx_binary();
  const std::vector<std::string> args = {
      binary, "-p",         dir_, "-e", dir_ + "/error.log", "-c", dir_ + "/nginx.conf",
      "-g",   "daemon off;"};
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    return Error(ErrorCode::kUnavailable, "cannot spawn " + binary);
  }
  if (!wait_until_serving(runtime))
    return Error(ErrorCode::kUnavailable, "nginx did not start:\n" + error_log());
  return Status();
}

void LocalNginxDav::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void LocalNginxDav::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
  dir_.clear();
}

void LocalNginxDav::write_config() const {
  const std::string port = address_.substr(address_.rfind(':') + 1);
  if (!htpasswd_line_.empty()) std::ofstream(dir_ + "/htpasswd") << htpasswd_line_;
  std::ofstream conf(dir_ + "/nginx.conf");
  if (::geteuid() == 0) conf << "user root;\n";  // workers must write the root's files
  conf << "worker_processes 1;\n"
       << "pid " << dir_ << "/nginx.pid;\n"
       << "error_log " << dir_ << "/error.log;\n"
       << "events { worker_connections 64; }\n"
       << "http {\n"
       << "  access_log off;\n"
       << "  default_type application/octet-stream;\n"
       << "  client_body_temp_path " << dir_ << "/temp/body;\n"
       << "  proxy_temp_path " << dir_ << "/temp/proxy;\n"
       << "  fastcgi_temp_path " << dir_ << "/temp/fastcgi;\n"
       << "  uwsgi_temp_path " << dir_ << "/temp/uwsgi;\n"
       << "  scgi_temp_path " << dir_ << "/temp/scgi;\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port << ";\n"
       << "    root " << dir_ << "/www;\n"
       << "    client_max_body_size 64m;\n"
       << "    location /objects/ {\n"
       << "      dav_methods PUT DELETE MOVE;\n"
       << "      create_full_put_path on;\n"
       << "      dav_access user:rw;\n"
       << "      autoindex on;\n"
       << "      autoindex_format json;\n"
       << (htpasswd_line_.empty()
               ? std::string()
               : "      auth_basic \"lumberjack storage\";\n      auth_basic_user_file " + dir_ +
                     "/htpasswd;\n")
       << "    }\n"
       << "  }\n"
       << "}\n";
}

bool LocalNginxDav::wait_until_serving(RealRuntime& runtime) {
  for (int attempt = 0; attempt < 250; ++attempt) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    auto connected = runtime.run(runtime.env().network.connect(address_));
    if (connected.ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string LocalNginxDav::error_log() const {
  std::ifstream in(dir_ + "/error.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace lj
