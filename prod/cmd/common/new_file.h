#pragma once
// Writing a secret the command made (a private key, an API key) to a file of its own, for the
// command-line tools. Exclusive: an existing file is never overwritten, so a typo cannot
// replace a key that is still in use.

#include <sys/types.h>

#include <string>

namespace lj {

// Creates `path` exclusively with `mode`, writes `text` and fsyncs it; an error message, or ""
// on success.
std::string write_new_file(const std::string& path, const std::string& text, mode_t mode);

}  // namespace lj
