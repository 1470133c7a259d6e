#pragma once
// `lj cat`: prints the events of a log file, after checking everything a file can get wrong
// (header, key, authentication, decompression, checksum, every line).
//
//   lj cat FILE [--key PRIVATE.pem] [--verify-only]
//
// Prints the body's lines (CEF, or W3C with its directives) to stdout. --verify-only prints
// one summary line instead. A bad file prints "lj cat: FILE: <what is wrong>" to stderr.

#include <ostream>
#include <span>
#include <string_view>

namespace lj {

// Returns the process exit status: 0 valid, 1 invalid or unreadable, 2 usage error.
int run_cat(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace lj
