#include <gtest/gtest.h>

#include "prod/event/sample_events.h"
#include "prod/io/distributions.h"
#include "prod/logfile/cef_parser.h"
#include "prod/logfile/cef_writer.h"

namespace lj {
namespace {

AttackEvent sample() {
  SplitMix64 random(3);
  return make_sample_event(random, 42, {7, 1}, 1700000000123);
}

std::string header_escaped(std::string_view value) {
  std::string out;
  append_cef_header_field(value, out);
  return out;
}
std::string extension_escaped(std::string_view value) {
  std::string out;
  append_cef_extension_value(value, out);
  return out;
}

TEST(CefWriter, LineHasImpervaHeaderAndKeys) {
  AttackEvent e = sample();
  e.referrer = "https://example.com/";
  e.headers = {{"Accept", "*/*"}};
  std::string line;
  append_cef_line(e, line);
  EXPECT_TRUE(line.starts_with("CEF:0|Incapsula|SIEMintegration|1|" + std::to_string(e.rule_id) +
                               "|" + e.attack_type + "|"))
      << line;
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  for (const char* key :
       {"|deviceExternalId=7-1 ", " suid=42 ", " siteid=", " start=1700000000123 ",
        " src=", " cpt=", " spt=", " requestClientApplication=", " ccode=", " cicode=", " app=",
        " request=", " requestMethod=", " cn1=", " act=", " cs9=", " cs9Label=Rule name",
        " additionalReqHeaders=[{\"Accept\":\"*/*\"}"}) {
    EXPECT_NE(line.find(key), std::string::npos) << key << " in " << line;
  }
}

TEST(CefWriter, EscapesHeaderPipesAndBackslashes) {
  EXPECT_EQ(header_escaped("a|b\\c=d"), "a\\|b\\\\c=d");
}

TEST(CefWriter, EscapesExtensionEqualsBackslashNewlines) {
  EXPECT_EQ(extension_escaped("a=b\\c\nd\re|f"), "a\\=b\\\\c\\nd\\re|f");
}

TEST(CefWriter, HexEscapesControlBytesAndInvalidUtf8) {
  EXPECT_EQ(extension_escaped(std::string("a\0b\x7f\x01", 5)), "a\\x00b\\x7F\\x01");
  EXPECT_EQ(extension_escaped("\xff\xc3"), "\\xFF\\xC3");
  EXPECT_EQ(extension_escaped("\xed\xa0\x80"), "\\xED\\xA0\\x80");  // a surrogate
  EXPECT_EQ(extension_escaped("caf\xc3\xa9 \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(CefParser, RoundTripsASampleEvent) {
  AttackEvent e = sample();
  std::string line;
  append_cef_line(e, line);
  line.pop_back();
  auto parsed = parse_cef_event(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, e);
}

TEST(CefParser, RoundTripsHostileValues) {
  AttackEvent e = sample();
  e.attack_type = "x|y\\|z\n CEF:0|forged|";
  e.url = "/a b=c d\\= act=ALLOWED";
  e.client_app = std::string("\0\r\n=\\|\xff", 7);
  e.query = " leading and trailing  ";
  e.rule_name = "=";
  e.referrer = "\\";
  e.headers = {{"a\"b", "c\\d"}, {"", std::string("\x01\x80", 2)}};
  e.rule_id = -1;
  std::string body;
  append_cef_line(e, body);
  ASSERT_EQ(std::count(body.begin(), body.end(), '\n'), 1);
  std::vector<AttackEvent> events;
  Status status = parse_cef_body(body, events);
  ASSERT_TRUE(status.ok()) << status.to_string();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], e);
}

TEST(CefParser, RoundTripsAMegabyteValue) {
  AttackEvent e = sample();
  e.query.assign(1 << 20, '=');
  e.client_app.assign(1 << 20, '\n');
  std::string line;
  append_cef_line(e, line);
  line.pop_back();
  auto parsed = parse_cef_event(line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, e);
}

TEST(CefParser, OmittedStringsReadBackEmpty) {
  AttackEvent e;
  e.id = {1, 2};
  std::string line;
  append_cef_line(e, line);
  EXPECT_EQ(line,
            "CEF:0|Incapsula|SIEMintegration|1|0|-|3|deviceExternalId=1-2 suid=0 siteid=0 "
            "start=0 end=0 cpt=0 spt=0 cn1=0\n");
  line.pop_back();
  auto parsed = parse_cef_event(line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, e);
}

Error parse_error(std::string_view line) {
  auto parsed = parse_cef_event(line);
  EXPECT_FALSE(parsed.ok()) << line;
  return parsed.ok() ? Error(ErrorCode::kInternal, "parsed") : parsed.error();
}

constexpr std::string_view kGood =
    "CEF:0|Incapsula|SIEMintegration|1|0|X|3|deviceExternalId=1-2 suid=0 siteid=0 start=0 end=0 "
    "cpt=0 spt=0 cn1=0";

TEST(CefParser, RejectsMalformedLines) {
  ASSERT_TRUE(parse_cef_event(kGood).ok());
  EXPECT_EQ(parse_error("LEEF:1.0|x").message(), "line does not start with 'CEF:0|'");
  EXPECT_EQ(parse_error("CEF:0|a|b|c").message(), "header has 3 of 7 fields");
  EXPECT_EQ(parse_error(std::string(kGood) + " act=a\\qb").message(),
            "value of 'act': unknown escape '\\q'");
  EXPECT_EQ(parse_error(std::string(kGood) + " suid=1").message(), "duplicate key 'suid'");
  EXPECT_EQ(parse_error(std::string(kGood) + " act=a=b").message(),
            "key 'a' does not start a field at extension offset 73");
  EXPECT_EQ(parse_error("CEF:0|Incapsula|SIEMintegration|1|0|X|3|suid=0").message(),
            "missing key 'deviceExternalId'");
  EXPECT_EQ(
      parse_error("CEF:0|Incapsula|SIEMintegration|1|0|X|3|deviceExternalId=12 suid=0").message(),
      "deviceExternalId '12' is not <stream>-<sequence>");
  EXPECT_EQ(
      parse_error("CEF:0|Incapsula|SIEMintegration|1|0|X|3|deviceExternalId=1-2 suid=-1").message(),
      "key 'suid': '-1' is not a number in range");
}

TEST(CefParser, BodyErrorsNameTheLine) {
  std::vector<AttackEvent> events;
  Status status = parse_cef_body(std::string(kGood) + "\n" + std::string(kGood), events);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "CEF line 2 has no LF (truncated body?)");
}

}  // namespace
}  // namespace lj
