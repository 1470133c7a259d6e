#pragma once
// The parts push destination addresses share (sftp_url.h, s3_url.h), read strictly: each returns
// why a part is refused, or nothing when it is good.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lj::push {

// Letters, digits, '-', '.' and '_': host names, user names, bucket names, key segments.
bool is_name_char(char c);
// A space or a control character anywhere.
std::optional<std::string> refuse_blanks(std::string_view url);
// "host", "host:port", "[v6]" or "[v6]:port"; `port` keeps its value when none is given.
std::optional<std::string> parse_authority(std::string_view authority, std::string& host,
                                           uint16_t& port);
// "/a/b": every segment non-empty, not "." or "..", of name characters only.
std::optional<std::string> refuse_bad_segments(std::string_view path);

}  // namespace lj::push
