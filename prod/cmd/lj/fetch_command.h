#pragma once
// `lj fetch`: the customer's downloader. Polls a folder's logs.index over HTTPS,
// downloads each new file once, in order, verifies and decrypts it with the customer's private
// key, and writes its events to a directory or forwards them to a syslog receiver. It resumes
// after a restart from a small state file (the last file fully processed, written atomically).
//
//   lj fetch --url https://HOST[:PORT]/<account>_<config>/ --user NAME --password-file FILE
//            --state FILE (--out-dir DIR | --syslog HOST:PORT [--syslog-tls])
//            [--key PRIVATE.pem] [--ca-file PEM] [--insecure] [--poll-ms 10000]
//            [--once] [--max-files N] [--syslog-ca-file PEM] [--syslog-hostname NAME]
//            [--accept-imperva] [--accept-unencrypted] [--allow-http]
//
// --out-dir: one file per log file, "<account>_<seq>.cef" (".w3c", ".leef", ".json"), holding
//   the verified plaintext (CEF, LEEF, JSON: one event per line; W3C: its directives, then one
//   event per line). A file processed again after a crash replaces itself, so every event is
//   there exactly once.
// --syslog: each event line as an RFC 5424 message with octet-counting framing (RFC 6587),
//   over TCP or, with --syslog-tls, TLS (RFC 5425). At least once across crashes.
// --once: exit 0 when the index lists nothing new. --max-files: exit 0 after N files.
// HTTPS is verified against --ca-file (or the system's trust store); --insecure skips it (and
// only it: --syslog-insecure is the syslog receiver's). The state and output files are 0600.
// http:// is refused unless --allow-http (the password would cross in clear).
// Each file must be what its name says (account, config and, in modern files, its seq: all
// authenticated) and encrypted in the modern encoding; --accept-imperva and
// --accept-unencrypted admit the legacy and the keyless folders (delivery/file_acceptance.h).
// A gap inside logs.index is an error naming the missing files; nothing past it is delivered.
// 401, 403, 404, 429, 5xx and connection errors are reported on stderr and retried with
// backoff (1 s doubling to 60 s). SIGINT/SIGTERM stop after the file in progress.

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace lj {

// Returns the process exit status: 0 stopped or done, 1 an error retrying cannot fix (a wrong
// key, another folder's state file, an unreadable file given), 2 usage.
int run_fetch(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

struct FetchUrl {
  bool tls = true;
  std::string host;  // as written, without brackets for IPv6
  uint16_t port = 443;
  std::string base_path;  // "/" or "/prefix/": what comes before the folder
  std::string folder;     // "<account>_<config>"
};
// Parses "https://HOST[:PORT]/[PREFIX/]<account>_<config>[/]". Returns "" or what is wrong.
std::string parse_fetch_url(std::string_view url, FetchUrl& out);

}  // namespace lj
