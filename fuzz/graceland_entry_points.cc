// Graceland's segment recovery and message handling: see fuzz_entry_points.h.
#include <cstring>
#include <optional>
#include <span>
#include <string>

#include "fuzz/fuzz_check.h"
#include "fuzz/fuzz_entry_points.h"
#include "prod/event/event_record.h"
#include "prod/graceland/request_checks.h"
#include "prod/graceland/segment_format.h"

namespace lj {
namespace {

using graceland::PeerGrant;

// Who the peer is, picked by the first byte (and named by the next if it needs a name).
// nullopt: refused at the hello (no certificate, or a role or name that grants nothing).
std::optional<PeerGrant> peer_of(std::string_view& input) {
  if (input.empty()) return std::nullopt;
  const auto pick = static_cast<uint8_t>(input[0]);
  input.remove_prefix(1);
  if (pick % 8 == 0) return graceland::grant_everything();
  std::optional<PeerIdentity> identity;
  switch (pick % 8) {
    case 1:
      identity = PeerIdentity{"proxy", "0"};
      break;
    case 2:
      identity = PeerIdentity{"proxy", "1-3"};
      break;
    case 3:
      identity = PeerIdentity{"lumberjack", "lj-1"};
      break;
    case 4:
      identity = PeerIdentity{"operator", "ops"};
      break;
    case 5:
      identity = PeerIdentity{"customer", "1001"};
      break;
    case 6: {  // a proxy certificate whose CN is the next bytes, up to a newline
      const size_t end = input.find('\n');
      identity = PeerIdentity{"proxy", std::string(input.substr(0, end))};
      input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
      break;
    }
    default:
      break;  // no certificate
  }
  Result<PeerGrant> grant = graceland::grant_for(identity);
  if (!grant.ok()) {
    FUZZ_CHECK(grant.code() == ErrorCode::kPermissionDenied);
    return std::nullopt;
  }
  FUZZ_CHECK(identity.has_value());
  FUZZ_CHECK(grant->may_send != grant->may_read);
  FUZZ_CHECK(grant->may_send == (identity->role == "proxy"));
  FUZZ_CHECK(!grant->may_send || grant->first_proxy_id <= grant->last_proxy_id);
  return std::move(*grant);
}

// Reads the next frame's verified body, as read_frame does; nullopt at the end of the input or
// where the server would close the connection.
std::optional<std::string_view> next_body(std::string_view& input) {
  if (input.size() < 8) return std::nullopt;
  Result<graceland::FrameHeader> header = graceland::decode_frame_header(input.substr(0, 8));
  if (!header.ok() || input.size() - 8 < header->body_length) return std::nullopt;
  const std::string_view body = input.substr(8, header->body_length);
  input.remove_prefix(8 + header->body_length);
  if (!graceland::verify_frame_body(*header, body).ok()) return std::nullopt;
  return body;
}

}  // namespace

void fuzz_segment_recovery(const uint8_t* data, size_t size) {
  const auto bytes = std::as_bytes(std::span(data, size));
  const graceland::SegmentScan scan = graceland::scan_segment(bytes);
  if (!scan.created_wall_ms) {
    FUZZ_CHECK(!graceland::decode_segment_header(bytes).ok());
    FUZZ_CHECK(scan.durable_end == graceland::kSegmentHeaderBytes && !scan.damaged);
    return;
  }
  FUZZ_CHECK(scan.durable_end >= graceland::kSegmentHeaderBytes && scan.durable_end <= size);
  // The records before the durable end, written again, are the very bytes recovered.
  std::string rewritten = graceland::encode_segment_header(*scan.created_wall_ms);
  uint64_t at = graceland::kSegmentHeaderBytes;
  while (at < scan.durable_end) {
    const size_t n = graceland::valid_record_bytes(bytes.subspan(at));
    FUZZ_CHECK(n > graceland::kRecordHeaderBytes && at + n <= scan.durable_end);
    graceland::append_segment_record(rewritten, bytes.subspan(at + graceland::kRecordHeaderBytes,
                                                              n - graceland::kRecordHeaderBytes));
    at += n;
  }
  FUZZ_CHECK(rewritten.size() == scan.durable_end);
  FUZZ_CHECK(std::memcmp(rewritten.data(), data, rewritten.size()) == 0);
  // Recovery stopped at the first invalid record, and calls it damage exactly when the record
  // after it is valid.
  const auto rest = bytes.subspan(scan.durable_end);
  FUZZ_CHECK(graceland::valid_record_bytes(rest) == 0);
  FUZZ_CHECK(scan.damaged == graceland::damaged_record_at(rest));
  if (scan.damaged) FUZZ_CHECK(rest.size() > 2 * graceland::kRecordHeaderBytes);
}

void fuzz_graceland_requests(const uint8_t* data, size_t size) {
  std::string_view input = fuzz_text(data, size);
  const std::optional<PeerGrant> grant = peer_of(input);
  if (!grant) return;  // refused before its hello is read
  const std::optional<std::string_view> hello = next_body(input);
  if (!hello) return;
  Result<uint16_t> version = graceland::accept_hello(*hello);
  if (!version.ok()) {
    FUZZ_CHECK(!version.error().message().empty());
    return;
  }
  FUZZ_CHECK(*version >= graceland::kOldestProtocolVersion &&
             *version <= graceland::kProtocolVersion);
  while (const std::optional<std::string_view> body = next_body(input)) {
    Result<graceland::DecidedRequest> request = graceland::decide_request(*grant, *body);
    if (!request.ok()) {
      FUZZ_CHECK(!request.error().message().empty());
      const auto type = graceland::MessageReader(*body).type();
      if ((type == graceland::MessageType::kList || type == graceland::MessageType::kRead) &&
          !grant->may_read) {
        FUZZ_CHECK(request.code() == ErrorCode::kPermissionDenied);
      }
      return;  // the server answers the refusal and closes the connection
    }
    switch (request->type) {
      case graceland::MessageType::kBatch: {
        FUZZ_CHECK(grant->may_send);
        for (const auto& [account, record] : request->batch.events) {
          Result<DecodedEventRecord> decoded = decode_event_record(record);
          FUZZ_CHECK(decoded.ok() && decoded->record_bytes == record.size());
          FUZZ_CHECK(decoded->event.account_id != 0 &&
                     account == std::to_string(decoded->event.account_id));
          const uint64_t proxy = decoded->event.id.proxy_id / kStreamsPerProxy;
          FUZZ_CHECK(proxy >= grant->first_proxy_id && proxy <= grant->last_proxy_id);
          // Within the store's record limit: a batch is never refused half-appended.
          FUZZ_CHECK(!record.empty() && record.size() <= graceland::kMaxSegmentPayloadBytes);
        }
        break;
      }
      case graceland::MessageType::kList:
        FUZZ_CHECK(grant->may_read);
        break;
      case graceland::MessageType::kRead:
        FUZZ_CHECK(grant->may_read);
        FUZZ_CHECK(request->read.account.size() <= 64);
        break;
      default:
        FUZZ_CHECK(false);
    }
  }
}

}  // namespace lj
