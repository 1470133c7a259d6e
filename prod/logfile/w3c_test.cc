#include <gtest/gtest.h>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/time_text.h"
#include "prod/logfile/w3c_parser.h"
#include "prod/logfile/w3c_writer.h"

namespace lj {
namespace {

AttackEvent sample() {
  SplitMix64 random(5);
  return make_sample_event(random, 42, {7, 1}, 1764049750123);  // 2025-11-25 05:49:10.123
}

std::string value(std::string_view v) {
  std::string out;
  append_w3c_value(v, out);
  return out;
}

TEST(W3cWriter, Directives) {
  std::string out;
  ASSERT_TRUE(append_w3c_directives(1764049750123, out).ok());
  EXPECT_EQ(out, "#Version: 1.0\n#Software: Lumberjack 1.0\n#Date: 2025-11-25 05:49:10\n#Fields: " +
                     std::string(kW3cFields) + "\n");
  EXPECT_TRUE(kW3cFields.starts_with(
      "date time c-ip c-port cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent) "
      "cs(Referer) "));
}

TEST(W3cWriter, QuotingRule) {
  EXPECT_EQ(value(""), "-");
  EXPECT_EQ(value("-"), "\"-\"");
  EXPECT_EQ(value("/a%2fb"), "/a%2fb");
  EXPECT_EQ(value("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(value("Mozilla/5.0 (X11)"), "\"Mozilla/5.0 (X11)\"");
  EXPECT_EQ(value("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(value("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(value(std::string("a\nb\0%\xff", 6)), "\"a%0Ab%00%25%FF\"");
}

TEST(W3cWriter, LineStartsWithDateAndTime) {
  std::string line;
  ASSERT_TRUE(append_w3c_line(sample(), line).ok());
  EXPECT_TRUE(line.starts_with("2025-11-25 05:49:10.123 ")) << line;
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(W3cWriter, RefusesTimesWithoutFourDigitYear) {
  AttackEvent e = sample();
  e.start_ms = -1;
  std::string line;
  Status status = append_w3c_line(e, line);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(line.empty());
}

TEST(W3cParser, RoundTripsSampleAndHostileEvents) {
  AttackEvent hostile = sample();
  hostile.url = "- \"x\" %41";
  hostile.client_app = std::string("\0\r\n \"\"\xff", 7);
  hostile.method = "-";
  hostile.referrer = "";
  hostile.headers = {{"a b", "\"-\""}};
  hostile.start_ms = kMaxTextTimeMs;
  std::string body;
  ASSERT_TRUE(append_w3c_directives(0, body).ok());
  ASSERT_TRUE(append_w3c_line(sample(), body).ok());
  ASSERT_TRUE(append_w3c_line(hostile, body).ok());
  std::vector<AttackEvent> events;
  Status status = parse_w3c_body(body, events);
  ASSERT_TRUE(status.ok()) << status.to_string();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], sample());
  EXPECT_EQ(events[1], hostile);
}

TEST(W3cParser, SplitsValues) {
  auto values = split_w3c_line("a - \"b c\" \"\"\"\" \"%25\"");
  ASSERT_TRUE(values.ok());
  EXPECT_EQ(*values, (std::vector<std::string>{"a", "", "b c", "\"", "%"}));
}

std::string body_error(std::string body) {
  std::vector<AttackEvent> events;
  Status status = parse_w3c_body(body, events);
  EXPECT_FALSE(status.ok());
  return status.ok() ? "" : status.error().message();
}

TEST(W3cParser, RejectsMalformedBodies) {
  EXPECT_EQ(body_error("2025-11-25 05:49:10.123 1\n"),
            "W3C line 1: event before any #Fields directive");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-11-25 05:49:10.123\n"),
            "W3C line 2: 2 values for 3 fields");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-11-25 05:49:10.123 \"1-2\n"),
            "W3C line 2: unterminated quoted value at offset 24");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-11-25 05:49:10.123 \"%4\"\n"),
            "W3C line 2: malformed %-escape at offset 25");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-02-30 05:49:10.123 1-2\n"),
            "W3C line 2: malformed date/time '2025-02-30 05:49:10.123'");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-11-25 05:49:10.123  1-2\n"),
            "W3C line 2: empty value at offset 24");
  EXPECT_EQ(body_error("#Fields: date time x-event-id\n2025-11-25 05:49:10.123 1-2"),
            "W3C line 2: no LF (truncated body?)");
}

}  // namespace
}  // namespace lj
