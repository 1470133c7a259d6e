#include "prod/push/local_rsyslog.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lj::push {
namespace {

constexpr const char* kRsyslogd = "/usr/sbin/rsyslogd";
constexpr const char* kGnuTlsDriver = "/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so";

}  // namespace

std::string LocalRsyslog::unusable_reason() {
  if (::access(kRsyslogd, X_OK) != 0) return "rsyslogd is not installed (ci/setup installs it)";
  if (::access(kGnuTlsDriver, R_OK) != 0)
    return "rsyslog's GnuTLS driver is not installed (ci/setup: rsyslog-gnutls)";
  return "";
}

std::string LocalRsyslog::url() const {
  return "syslog+tls://127.0.0.1:" + std::to_string(port());
}

std::string LocalRsyslog::received() const {
  std::ifstream in(dir() + "/received.log");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status LocalRsyslog::start() {
  if (std::string reason = unusable_reason(); !reason.empty())
    return Error(ErrorCode::kUnavailable, reason);
  if (Status prepared = prepare("lj-rsyslog"); !prepared.ok()) return prepared;
  const std::string& folder = dir();
  if (Status made = make_loopback_certificates(folder, "syslog"); !made.ok()) return made;
  std::filesystem::create_directories(folder + "/work");
  std::ofstream(folder + "/rsyslog.conf")
      << "global(workDirectory=\"" << folder << "/work\" defaultNetstreamDriver=\"gtls\"\n"
      << "       defaultNetstreamDriverCAFile=\"" << folder << "/ca.crt\"\n"
      << "       defaultNetstreamDriverCertFile=\"" << folder << "/syslog.crt\"\n"
      << "       defaultNetstreamDriverKeyFile=\"" << folder << "/syslog.key\")\n"
      << "module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\"\n"
      << "       streamDriver.authMode=\"anon\")\n"
      << "input(type=\"imtcp\" port=\"" << port() << "\")\n"
      << "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
      << "action(type=\"omfile\" file=\"" << folder << "/received.log\" template=\"raw\")\n";
  const std::string log = folder + "/rsyslogd.log";
  return spawn({"/bin/sh", "-c",
                std::string("exec ") + kRsyslogd + " -n -f " + folder + "/rsyslog.conf -i " +
                    folder + "/rsyslogd.pid >" + log + " 2>&1"},
               log);
}

}  // namespace lj::push
