#pragma once
// logfmt lines for the daemons' logs: "ts=... level=info service=graceland pop=\"ams\"
// msg=\"...\"". Every value is quoted with quotes, backslashes and control bytes escaped, so a
// hostile peer address, account name or error text can never forge a second line or a field.

#include <cstdint>
#include <string>
#include <string_view>

namespace lj {

std::string logfmt_quote(std::string_view text);
// One line, ending in '\n'. `who_key` names the process ("pop", "node"), `who` its name.
std::string logfmt_line(int64_t wall_ms, std::string_view level, std::string_view service,
                        std::string_view who_key, std::string_view who, std::string_view message);

}  // namespace lj
