#include <gtest/gtest.h>

#include "prod/logfile/leef_parser.h"
#include "prod/logfile/leef_writer.h"

namespace lj {
namespace {

AttackEvent small_event() {
  AttackEvent e;
  e.id = {7, 12};
  e.account_id = 1001;
  e.site_id = 5;
  e.start_ms = 1764049750123;
  e.end_ms = 1764049750200;
  e.source_ip = "203.0.113.9";
  e.source_port = 51000;
  e.server_port = 443;
  e.attack_type = "SQL Injection";
  e.rule_id = 42;
  e.action = "REQ_BLOCKED";
  e.url = "example.com/a=b|c";
  return e;
}

TEST(Leef, LineLayoutWithTheDefaultTab) {
  std::string line;
  append_leef_line(small_event(), '\t', line);
  EXPECT_EQ(
      line,
      "LEEF:2.0|Incapsula|SIEMintegration|1|SQL Injection|x09|devTime=2025-11-25T05:49:10.123Z\t"
      "devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSX\tcat=REQ_BLOCKED\tsev=7\tsrc=203.0.113.9\tsrcPort="
      "51000\t"
      "dstPort=443\turl=example.com/"
      "a=b|c\tdeviceExternalId=7-12\tsuid=1001\tsiteid=5\tstart=1764049750123\t"
      "end=1764049750200\tcn1=0\tact=REQ_BLOCKED\truleId=42\n");
}

TEST(Leef, DelimiterForms) {
  EXPECT_EQ(parse_leef_delimiter("tab"), '\t');
  EXPECT_EQ(parse_leef_delimiter("x09"), '\t');
  EXPECT_EQ(parse_leef_delimiter("0x5E"), '^');
  EXPECT_EQ(parse_leef_delimiter("^"), '^');
  EXPECT_EQ(leef_delimiter_text('^'), "^");
  EXPECT_EQ(leef_delimiter_text('\t'), "x09");
  for (std::string_view bad :
       {"=", "\\", "|", "a", "7", " ", "-", ":", ".", "'", "x41", "xZZ", "", "^^", "x0a", "x00"}) {
    EXPECT_FALSE(parse_leef_delimiter(bad).has_value()) << bad;
  }
}

TEST(Leef, EmptyAttackTypeHasAPlaceholderAndADashIsEscaped) {
  AttackEvent e = small_event();
  for (std::string attack_type : {"", "-"}) {
    e.attack_type = attack_type;
    std::string line;
    append_leef_line(e, '^', line);
    EXPECT_NE(line.find(attack_type.empty() ? "|1|-|^|" : "|1|\\x2D|^|"), std::string::npos)
        << line;
    line.pop_back();
    Result<AttackEvent> parsed = parse_leef_event(line);
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
    EXPECT_EQ(parsed->attack_type, attack_type);
  }
}

TEST(Leef, TheDelimiterInAValueIsEscaped) {
  AttackEvent e = small_event();
  e.url = "a^act=ALLOW";
  std::string line;
  append_leef_line(e, '^', line);
  EXPECT_NE(line.find("^url=a\\x5Eact=ALLOW^"), std::string::npos) << line;
  line.pop_back();
  EXPECT_EQ(parse_leef_event(line).value().url, e.url);
}

TEST(Leef, MalformedLinesAreRefusedWithAReason) {
  std::string line;
  append_leef_line(small_event(), '^', line);
  line.pop_back();
  auto fails_with = [](std::string text, std::string_view reason) {
    Result<AttackEvent> parsed = parse_leef_event(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message().find(reason), std::string::npos) << parsed.error().message();
  };
  fails_with("LEEF:1.0|a|b|c|d|", "LEEF:2.0");
  fails_with("LEEF:2.0|a|b|c", "header has");
  fails_with(line + "^suid=1", "duplicate key 'suid'");
  fails_with(line + "^nokey", "has no '='");
  fails_with(line + "^x=\\q", "unknown escape");
  fails_with(line.substr(0, line.find("^suid=")), "missing key 'suid'");
  fails_with("LEEF:2.0|a|b|c|d|=|x=1", "bad delimiter");
  EXPECT_TRUE(parse_leef_event(line + "^laterKey=ignored").ok());
}

TEST(Leef, BodyErrorsNameTheLine) {
  std::string body;
  append_leef_line(small_event(), '\t', body);
  body += "LEEF:2.0|broken\n";
  std::vector<AttackEvent> events;
  Status status = parse_leef_body(body, events);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("LEEF line 2"), std::string::npos) << status.to_string();
}

}  // namespace
}  // namespace lj
