#include "prod/io/network.h"

#include <charconv>

#include "prod/io/invariant.h"

namespace lj {

Task<Status> write_all(Connection& connection, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    Result<size_t> written = co_await connection.write_some(bytes);
    if (!written.ok()) co_return written.status();
    LJ_ASSERT(*written > 0 && *written <= bytes.size());
    bytes = bytes.subspan(*written);
  }
  co_return Status();
}

Task<Status> read_exactly(Connection& connection, std::span<std::byte> buffer) {
  const size_t wanted = buffer.size();
  while (!buffer.empty()) {
    Result<size_t> got = co_await connection.read_some(buffer);
    if (!got.ok()) co_return got.status();
    if (*got == 0) {
      co_return Error(ErrorCode::kConnectionReset, "end of stream after " +
                                                       std::to_string(wanted - buffer.size()) +
                                                       " of " + std::to_string(wanted) + " bytes");
    }
    buffer = buffer.subspan(*got);
  }
  co_return Status();
}

Result<HostPort> parse_host_port(const std::string& address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return Error(ErrorCode::kInvalidArgument, "address '" + address + "' has no port");
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Error(ErrorCode::kInvalidArgument, "address '" + address + "' has a bad port");
  }
  return HostPort{host, static_cast<uint16_t>(port)};
}

}  // namespace lj
