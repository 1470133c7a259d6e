#include "prod/graceland/segment_format.h"

#include <gtest/gtest.h>

namespace lj::graceland {
namespace {

std::span<const std::byte> bytes_of(const std::string& s) {
  return std::as_bytes(std::span(s));
}

TEST(SegmentFormat, RecordRoundTripsAndEveryTornPrefixIsRejected) {
  std::string record;
  append_segment_record(record, bytes_of("attack event payload"));
  EXPECT_EQ(valid_record_bytes(bytes_of(record)), record.size());
  for (size_t cut = 0; cut < record.size(); ++cut) {
    EXPECT_EQ(valid_record_bytes(bytes_of(record.substr(0, cut))), 0u) << "cut at " << cut;
  }
}

TEST(SegmentFormat, AnyFlippedBitIsDetected) {
  std::string record;
  append_segment_record(record, bytes_of("0123456789"));
  for (size_t i = 0; i < record.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = record;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_NE(valid_record_bytes(bytes_of(bad)), record.size()) << "byte " << i << " bit " << bit;
    }
  }
}

TEST(SegmentFormat, HostileLengthsAreRejectedWithoutReadingPastTheBuffer) {
  std::string huge("\xff\xff\xff\x7f\0\0\0\0", 8);
  EXPECT_EQ(valid_record_bytes(bytes_of(huge)), 0u);
  std::string zero("\0\0\0\0\0\0\0\0", 8);
  EXPECT_EQ(valid_record_bytes(bytes_of(zero)), 0u);
}

TEST(SegmentFormat, HeaderAndNames) {
  const std::string header = encode_segment_header(1767225600123);
  auto created = decode_segment_header(bytes_of(header));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(*created, 1767225600123);
  EXPECT_FALSE(decode_segment_header(bytes_of("LJSEG00")).ok());
  uint32_t index = 0;
  EXPECT_EQ(segment_file_name(42), "0000000042.seg");
  EXPECT_TRUE(parse_segment_file_name("0000000042.seg", index));
  EXPECT_EQ(index, 42u);
  EXPECT_FALSE(parse_segment_file_name("9999999999.seg", index));
  EXPECT_FALSE(parse_segment_file_name("000000004x.seg", index));
}

TEST(SegmentFormat, RecoveryScanStopsAtTheFirstInvalidRecordAndNamesDamage) {
  std::string segment = encode_segment_header(1767225600123);
  for (const char* payload : {"first", "second", "third"})
    append_segment_record(segment, bytes_of(payload));
  const SegmentScan whole = scan_segment(bytes_of(segment));
  ASSERT_TRUE(whole.created_wall_ms.has_value());
  EXPECT_EQ(*whole.created_wall_ms, 1767225600123);
  EXPECT_EQ(whole.durable_end, segment.size());
  EXPECT_FALSE(whole.damaged);

  const size_t second = kSegmentHeaderBytes + kRecordHeaderBytes + 5;  // where "second" starts
  const SegmentScan torn = scan_segment(bytes_of(segment.substr(0, segment.size() - 1)));
  EXPECT_EQ(torn.durable_end, segment.size() - kRecordHeaderBytes - 5);  // the third record is gone
  EXPECT_FALSE(torn.damaged);  // nothing valid follows a torn tail

  std::string damaged = segment;
  damaged[second + kRecordHeaderBytes] ^= 1;  // a bit of "second" flipped on the medium
  const SegmentScan scan = scan_segment(bytes_of(damaged));
  EXPECT_EQ(scan.durable_end, second);
  EXPECT_TRUE(scan.damaged);  // "third" follows it

  const SegmentScan headless = scan_segment(bytes_of(segment.substr(0, kSegmentHeaderBytes - 1)));
  EXPECT_FALSE(headless.created_wall_ms.has_value());
  EXPECT_EQ(headless.durable_end, kSegmentHeaderBytes);
}

TEST(SegmentFormat, AccountIdsThatCouldEscapeAreRefused) {
  EXPECT_TRUE(is_valid_account_id("12345"));
  EXPECT_TRUE(is_valid_account_id("acct_9-x"));
  for (const char* bad : {"", "..", "../etc", "a/b", "a.b", "a b", "a\nb"}) {
    EXPECT_FALSE(is_valid_account_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_account_id(std::string(65, 'a')));
}

}  // namespace
}  // namespace lj::graceland
