#pragma once
// Graceland's TCP protocol, used by proxies (ingest) and Lumberjack (reads).
//
// Every message is one frame:
//   u32 body_length   (1 .. kMaxFrameBytes)          little-endian, like every integer here
//   u32 crc32         zlib CRC-32 of the body
//   body:  u8 type, then the type's fields
// Strings and byte strings are u32 length + bytes. A receiver checks the length against the
// limit before allocating, the checksum before parsing, and every field against the bytes
// left; any violation is a clear error and closes the connection.
//
// Conversation: the client opens with kHello (protocol version, client name); the server
// answers kHelloOk (the version the conversation uses: the client's) or kError. Then, in order
// on one connection:
//   kBatch   {u64 batch_id, u32 count, count x bytes event_record}  -> kAck {u64 batch_id, u32
//   count}
//            sent only once every event of the batch is durable (fsync'd); never for part of one.
//   kList    {}                                                     -> kListReply {u64 store_id,
//   u32 n, n x (str account, u32 first_file, u64 first_offset, u32 end_file, u64 end_offset)} kRead
//   {str account, u32 file, u64 offset, u32 max_bytes}     -> kReadReply {u64 store_id, u32
//   next_file, u64 next_offset, u32 n, n x bytes record} kError   {u16 code, str message}: the
//   request failed; the server closes after sending it.
// store_id names the store the positions belong to (SegmentStore::store_id): a PoP whose disk
// was replaced answers with another id, and positions read from the old store mean nothing.
//
// Versions: 2 added store_id to kListReply and kReadReply; 3 added kReadMany (read_many.h).
// A server speaks 1 to 3, answering each client in its own version (a version-1 client gets
// replies without store_id); this client speaks 3, so upgrade the Gracelands before the
// proxies and Lumberjacks.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "prod/graceland/segment_store.h"
#include "prod/io/network.h"

namespace lj::graceland {

inline constexpr uint16_t kProtocolVersion = 3;        // what this code's clients speak
inline constexpr uint16_t kOldestProtocolVersion = 1;  // the oldest a server still answers
inline constexpr uint32_t kMaxFrameBytes = 8u << 20;
inline constexpr uint32_t kMaxBatchEvents = 10000;

enum class MessageType : uint8_t {
  kHello = 1,
  kHelloOk = 2,
  kBatch = 3,
  kAck = 4,
  kList = 5,
  kListReply = 6,
  kRead = 7,
  kReadReply = 8,
  kError = 9,
  kReadMany = 10,  // version 3 (read_many.h)
  kReadManyReply = 11,
};

// Builds a message body field by field, then frames it.
class MessageWriter {
 public:
  explicit MessageWriter(MessageType type) { body_.push_back(static_cast<char>(type)); }
  MessageWriter& u8(uint8_t v) { return raw(&v, 1); }
  MessageWriter& u16(uint16_t v) { return raw(&v, 2); }
  MessageWriter& u32(uint32_t v) { return raw(&v, 4); }
  MessageWriter& u64(uint64_t v) { return raw(&v, 8); }
  MessageWriter& bytes(std::string_view v) {
    u32(static_cast<uint32_t>(v.size()));
    body_.append(v);
    return *this;
  }
  // The complete frame: header + body.
  std::string frame() const;

 private:
  MessageWriter& raw(const void* p, size_t n) {
    body_.append(static_cast<const char*>(p), n);
    return *this;
  }
  std::string body_;
};

// Reads fields from a received body; every read is bounds-checked, and the first failure
// sticks so a parser can read all fields then check ok() once.
class MessageReader {
 public:
  explicit MessageReader(std::string_view body) : body_(body) {}
  MessageType type() const { return static_cast<MessageType>(body_.empty() ? 0 : body_[0]); }
  uint8_t u8() { return fixed<uint8_t>(); }
  uint16_t u16() { return fixed<uint16_t>(); }
  uint32_t u32() { return fixed<uint32_t>(); }
  uint64_t u64() { return fixed<uint64_t>(); }
  std::string_view bytes(uint32_t limit = kMaxFrameBytes);
  // ok() and nothing left over.
  Status finish(std::string_view what) const;
  bool ok() const { return error_.empty(); }

 private:
  template <typename T>
  T fixed() {
    T v{};
    if (!take(sizeof(T))) return v;
    std::memcpy(&v, body_.data() + at_ - sizeof(T), sizeof(T));
    return v;
  }
  bool take(size_t n);
  std::string_view body_;
  size_t at_ = 1;  // after the type byte
  std::string error_;
};

// The 8-byte frame header, decoded and checked against the limit before any allocation.
struct FrameHeader {
  uint32_t body_length = 0;
  uint32_t crc32 = 0;
};
Result<FrameHeader> decode_frame_header(std::string_view header_bytes,
                                        uint32_t max_frame_bytes = kMaxFrameBytes);
Status verify_frame_body(const FrameHeader& header, std::string_view body);

// Requests as the server parses them; each rejects trailing bytes and lengths past limits.
struct BatchRequest {
  uint64_t batch_id = 0;
  std::vector<std::string_view> records;  // views into the body
};
Result<uint16_t> parse_hello(std::string_view body);  // the client's protocol version
Result<BatchRequest> parse_batch(std::string_view body);
struct ReadRequest {
  std::string account;
  Position from;
  uint32_t max_bytes = 0;
};
Result<ReadRequest> parse_read(std::string_view body);
// A read's fields, as kRead and kReadMany carry them (the reader's ok() says if they were there).
ReadRequest read_request_fields(MessageReader& reader);
void write_read_request_fields(MessageWriter& writer, const ReadRequest& read);
std::string encode_batch(uint64_t batch_id, const std::vector<std::string>& records);

// Replies, in the conversation's `version` (store_id only from version 2; 0 when absent).
struct ListReply {
  uint64_t store_id = 0;
  std::vector<AccountExtent> accounts;
};
std::string encode_list_reply(uint16_t version, uint64_t store_id,
                              const std::vector<AccountExtent>& accounts);
Result<ListReply> parse_list_reply(std::string_view body, uint16_t version);
std::string encode_read_reply(uint16_t version, const ReadBatch& batch);
Result<ReadBatch> parse_read_reply(std::string_view body, uint16_t version);
// A batch's fields after the store id, as kReadReply and kReadManyReply carry them.
void write_batch_fields(MessageWriter& writer, const ReadBatch& batch);
ReadBatch read_batch_fields(MessageReader& reader);

// Reads one frame and returns its verified body. Errors: the connection's, kCorrupt for a bad
// checksum or empty body, kTooLarge for a length over the limit.
Task<Result<std::string>> read_frame(Connection& connection,
                                     uint32_t max_frame_bytes = kMaxFrameBytes);

std::string error_frame(ErrorCode code, std::string_view message);
// Turns a received kError body into an Error.
Error decode_error(std::string_view body);

}  // namespace lj::graceland
