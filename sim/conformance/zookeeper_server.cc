#include "sim/conformance/zookeeper_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace lj::conformance {

namespace {

constexpr const char* kZooKeeperJar = "/usr/share/java/zookeeper.jar";
// slf4j's simple binding, so the server's warnings reach its log (else slf4j drops them).
constexpr const char* kLogBindingJar = "/usr/share/java/slf4j-simple.jar";
constexpr auto kBootTimeout = std::chrono::seconds(30);

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "lj-zookeeper-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return free;
}

// A port nobody listens on now (there is a short race until the server binds it), drawn below
// the kernel's ephemeral range as the ensemble's are: a port from that range can be taken by an
// outgoing connection's local end, and a readiness probe to it while nothing listens can be
// given that very port as its source and connect to itself.
int free_loopback_port() {
  static unsigned drawn = 0;  // a retry after a lost race draws a different port
  const unsigned seed = static_cast<unsigned>(::getpid()) * 104729u;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = 12000 + static_cast<int>((seed + drawn++ * 331u) % 16000u);
    if (port_free(port)) return port;
  }
  return 0;
}

// Sends a four-letter word and returns the whole answer ("" if nobody answered in time).
std::string ask(int port, const std::string& word) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, word.data(), word.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(word.size())) {
    char buffer[4096];
    for (ssize_t got; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) {
      answer.append(buffer, static_cast<size_t>(got));
    }
  }
  ::close(fd);
  return answer;
}

// $JAVA_HOME/bin/java, else the first `java` on PATH.
std::string find_java() {
  if (const char* home = ::getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/bin/java";
  }
  const char* path = ::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/java";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "/usr/bin/java";
}

}  // namespace

LocalZooKeeperServer::LocalZooKeeperServer() : dir_(make_temp_dir()) {
  if (!dir_.empty()) std::filesystem::create_directories(dir_ + "/data");
}

LocalZooKeeperServer::~LocalZooKeeperServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string LocalZooKeeperServer::hosts() const {
  return "127.0.0.1:" + std::to_string(port_);
}

Status LocalZooKeeperServer::start() {
  if (running()) return Status();
  if (dir_.empty()) return Error(ErrorCode::kIoError, "cannot make a temporary directory");
  if (started_once_) return launch();  // a restart keeps its port: clients know it
  Status launched = Error(ErrorCode::kInternal, "never launched");
  // Another process may take the free port before the server binds it: try a few.
  for (int attempt = 0; attempt < 3 && !launched.ok(); ++attempt) {
    port_ = free_loopback_port();
    if (port_ == 0) return Error(ErrorCode::kIoError, "no free loopback port");
    write_config();
    launched = launch();
  }
  started_once_ = launched.ok();
  return launched;
}

void LocalZooKeeperServer::write_config() const {
  std::ofstream config(dir_ + "/zoo.cfg");
  config << "tickTime=200\n"
         << "minSessionTimeout=400\n"
         << "maxSessionTimeout=10000\n"
         << "dataDir=" << dir_ << "/data\n"
         << "clientPort=" << port_ << "\n"
         << "clientPortAddress=127.0.0.1\n"
         << "maxClientCnxns=0\n"
         << "forceSync=no\n"
         << "4lw.commands.whitelist=*\n"
         << "admin.enableServer=false\n";
}

Status LocalZooKeeperServer::launch() {
  std::string classpath = kZooKeeperJar;
  if (::access(kLogBindingJar, R_OK) == 0) classpath += std::string(":") + kLogBindingJar;
  std::vector<std::string> args = {find_java(),
                                   "-Xmx256m",
                                   "-XX:+UseSerialGC",
                                   "-XX:TieredStopAtLevel=1",  // boots faster; tests are short
                                   "-Djava.awt.headless=true",
                                   "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                   "-cp",
                                   classpath,
                                   "org.apache.zookeeper.server.ZooKeeperServerMain",
                                   dir_ + "/zoo.cfg"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const int log =
      ::open((dir_ + "/server.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  const int no_input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || no_input < 0) return Error(ErrorCode::kIoError, "cannot open the server's log");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child of a possibly threaded process: async-signal-safe calls only until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // die with the test process, even if it crashes
    if (::getppid() != parent) ::_exit(127);
    ::dup2(no_input, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  ::close(no_input);
  if (pid < 0) return Error(ErrorCode::kInternal, std::string("fork: ") + std::strerror(errno));
  pid_ = pid;
  Status serving = wait_until_serving();
  if (!serving.ok()) stop();
  return serving;
}

Status LocalZooKeeperServer::wait_until_serving() {
  const auto deadline = std::chrono::steady_clock::now() + kBootTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Error(ErrorCode::kUnavailable, "zookeeper exited during start (status " +
                                                std::to_string(status) + "): " + log_tail());
    }
    if (ask(port_, "srvr").find("Mode: ") != std::string::npos) return Status();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Error(ErrorCode::kTimedOut, "zookeeper did not serve on " + hosts() + " within " +
                                         std::to_string(kBootTimeout.count()) +
                                         " s: " + log_tail());
}

void LocalZooKeeperServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string LocalZooKeeperServer::log_tail() const {
  std::ifstream log(dir_ + "/server.log");
  std::stringstream all;
  all << log.rdbuf();
  const std::string text = all.str();
  constexpr size_t kTail = 2000;
  return text.size() <= kTail ? text : "..." + text.substr(text.size() - kTail);
}

// ---- LocalZooKeeperEnsemble

namespace {

constexpr int kEnsembleServers = 3;

// A base port whose client (base..base+2) and quorum ports (base+101.., base+201..) are free,
// below the ephemeral range (a restarted server must find its ports free).
int free_ensemble_base() {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base =
        12000 +
        static_cast<int>((static_cast<unsigned>(::getpid()) * 7919u + attempt * 331u) % 16000u);
    bool free = true;
    for (int n = 0; n < kEnsembleServers && free; ++n) {
      free = port_free(base + n) && port_free(base + 101 + n) && port_free(base + 201 + n);
    }
    if (free) return base;
  }
  return 0;
}

}  // namespace

LocalZooKeeperEnsemble::LocalZooKeeperEnsemble() : dir_(make_temp_dir()) {}

LocalZooKeeperEnsemble::~LocalZooKeeperEnsemble() {
  stop();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string LocalZooKeeperEnsemble::script(const std::string& args) const {
  return std::string(LJ_SOURCE_DIR) + "/ci/zookeeper " + args;
}

Status LocalZooKeeperEnsemble::start() {
  if (dir_.empty()) return Error(ErrorCode::kIoError, "no temporary directory");
  if (base_port_ == 0) base_port_ = free_ensemble_base();
  if (base_port_ == 0) return Error(ErrorCode::kUnavailable, "no free ports for an ensemble");
  const std::string command = script("start " + dir_ + " " + std::to_string(kEnsembleServers) +
                                     " " + std::to_string(base_port_)) +
                              " >/dev/null";
  if (std::system(command.c_str()) != 0) {
    stop();
    return Error(ErrorCode::kUnavailable, "ci/zookeeper could not start an ensemble in " + dir_);
  }
  running_ = true;
  return Status();
}

void LocalZooKeeperEnsemble::stop() {
  if (dir_.empty() || base_port_ == 0) return;
  (void)std::system((script("stop " + dir_) + " >/dev/null 2>&1").c_str());
  running_ = false;
}

std::string LocalZooKeeperEnsemble::hosts() const {
  std::string hosts;
  for (int n = 0; n < kEnsembleServers; ++n) {
    hosts += (n == 0 ? "" : ",") + std::string("127.0.0.1:") + std::to_string(base_port_ + n);
  }
  return hosts;
}

Result<int> LocalZooKeeperEnsemble::kill_leader() {
  for (int n = 1; n <= kEnsembleServers; ++n) {
    if (ask(base_port_ + n - 1, "srvr").find("Mode: leader") == std::string::npos) continue;
    const std::string which = std::to_string(n);
    if (std::system((script("kill " + dir_ + " " + which) + " >/dev/null 2>&1").c_str()) != 0 ||
        std::system((script("restart " + dir_ + " " + which) + " >/dev/null 2>&1").c_str()) != 0) {
      return Error(ErrorCode::kIoError, "ci/zookeeper could not kill and restart server " + which);
    }
    return n;
  }
  return Error(ErrorCode::kUnavailable, "no server says it leads");
}

}  // namespace lj::conformance
