// A collector's messages read back: the frames syslog push writes parse to the events of the
// file they came from, at their places; a challenge is skipped; anything else is refused.
#include "prod/audit/syslog_received.h"

#include <gtest/gtest.h>

#include "prod/delivery/log_sinks.h"
#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/log_file_reader.h"
#include "prod/logfile/log_file_writer.h"

namespace lj::audit {
namespace {

// The messages of file 7 of account 1004, as a collector writes them (one a line, no octet
// count), and the events the file holds.
std::string messages(LogFormat format, std::vector<AttackEvent>& events) {
  SplitMix64 random(7);
  for (uint64_t i = 0; i < 4; ++i)
    events.push_back(make_sample_event(random, 1004, {3, i + 1}, 1764049750000));
  LogFileSpec spec;
  spec.account_id = 1004;
  spec.seq = 7;
  spec.format = format;
  LogFileWriter writer;
  const DecodedLogFile file =
      read_log_file(writer.write(spec, events, random).value(), nullptr).value();
  const std::string framed = delivery::syslog_frames(file, 7, delivery::SyslogOptions{});
  std::vector<ReceivedEvent> from_frames;
  EXPECT_TRUE(append_syslog_frames(framed, 55, from_frames).ok());
  EXPECT_EQ(from_frames.size(), events.size());
  EXPECT_EQ(append_syslog_frames(framed.substr(0, framed.size() - 1), 55, from_frames).code(),
            ErrorCode::kCorrupt);
  std::string lines;
  EXPECT_TRUE(for_each_syslog_frame(
      framed, [&lines](std::string_view message) { lines += std::string(message) + "\n"; }));
  return lines;
}

TEST(SyslogReceived, EveryFormatsMessagesGiveTheFilesEventsAtTheirPlaces) {
  for (LogFormat format : {LogFormat::kCef, LogFormat::kLeef, LogFormat::kJson}) {
    std::vector<AttackEvent> events;
    const std::string text = messages(format, events);
    std::vector<ReceivedEvent> received;
    Status status = append_syslog_events(text + text, 55, received);  // sent twice
    ASSERT_TRUE(status.ok()) << status.error().to_string();
    ASSERT_EQ(received.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
      EXPECT_EQ(received[i],
                (ReceivedEvent{1004, 7, i % 4, events[i % 4].id, events[i % 4].start_ms, 55}));
    }
  }
}

TEST(SyslogReceived, ALineMayStartWithTheCollectorsReceiptTime) {
  std::vector<AttackEvent> events;
  const std::string text = messages(LogFormat::kJson, events);
  const std::string first = text.substr(0, text.find('\n'));
  std::vector<ReceivedEvent> received;
  ASSERT_TRUE(
      append_syslog_events("1764049751.25 " + first + "\n1764049752 " + first + "\n", 9, received)
          .ok());
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].received_ms, 1764049751250);
  EXPECT_EQ(received[1].received_ms, 1764049752000);
  EXPECT_EQ(append_syslog_events("17640x9751.25 " + first + "\n", 9, received).code(),
            ErrorCode::kCorrupt);
  // A line still being written (no LF yet) waits for the next read.
  received.clear();
  EXPECT_TRUE(append_syslog_events(first.substr(0, 30), 9, received).ok());
  EXPECT_TRUE(received.empty());
}

TEST(SyslogReceived, AChallengeIsNoEventAndAStrangerIsRefused) {
  std::vector<ReceivedEvent> received;
  delivery::SyslogOptions options;
  std::string challenge =
      delivery::syslog_frame("lumberjack-challenge-1004.txt t", -1, "challenge", options);
  challenge.erase(0, challenge.find(' ') + 1);
  EXPECT_TRUE(append_syslog_event(challenge, 1, received).ok());
  EXPECT_TRUE(received.empty());
  std::vector<AttackEvent> events;
  const std::string good = messages(LogFormat::kCef, events);
  const std::string first = good.substr(0, good.find('\n'));
  for (const std::string& bad :
       {std::string("<13>1 - - - - CEF - x"), std::string("<134>1 - - lumberjack - CEF - x"),
        first.substr(0, first.find("n=\"")) + "n=\"0\"] x",
        std::string(first).replace(first.find(" CEF "), 5, " W3C "),
        std::string(first).replace(first.find("1004_7.log"), 10, "1005_7.log")}) {
    Status status = append_syslog_event(bad, 1, received);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.code(), ErrorCode::kCorrupt) << bad;
  }
  EXPECT_TRUE(received.empty());
}

}  // namespace
}  // namespace lj::audit
