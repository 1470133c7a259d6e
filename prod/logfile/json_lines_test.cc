#include <gtest/gtest.h>

#include "prod/logfile/json_lines_parser.h"
#include "prod/logfile/json_lines_writer.h"

namespace lj {
namespace {

AttackEvent small_event() {
  AttackEvent e;
  e.id = {7, 12};
  e.account_id = 1001;
  e.start_ms = 1764049750123;
  e.end_ms = 1764049750200;
  e.action = "REQ_BLOCKED";
  e.url = "example.com/\"q\"";
  e.headers = {{"Accept", "*/*"}};
  return e;
}

TEST(JsonLines, LineLayout) {
  std::string line;
  append_json_line(small_event(), line);
  EXPECT_EQ(line,
            "{\"id\":\"7-12\",\"time\":\"2025-11-25T05:49:10.123Z\",\"start_ms\":1764049750123,"
            "\"end_ms\":1764049750200,"
            "\"account_id\":1001,\"account_name\":\"\",\"site_id\":0,\"site_name\":\"\",\"pop\":"
            "\"\",\"source_ip\":\"\","
            "\"source_port\":0,\"server_port\":0,\"user_agent\":\"\",\"country\":\"\",\"city\":"
            "\"\",\"protocol\":\"\","
            "\"attack_type\":\"\",\"rule_id\":0,\"rule_name\":\"\",\"action\":\"REQ_BLOCKED\","
            "\"severity\":7,"
            "\"url\":\"example.com/"
            "\\\"q\\\"\",\"method\":\"\",\"query\":\"\",\"referrer\":\"\",\"response_code\":0,"
            "\"headers\":[{\"name\":\"Accept\",\"value\":\"*/*\"}]}\n");
}

TEST(JsonLines, InvalidBytesBecomeReplacementCharactersWithAnExactCopy) {
  AttackEvent e = small_event();
  e.url =
      "a\xff"
      "b";
  e.headers = {{"X\xc3", "ok"}};
  std::string line;
  append_json_line(e, line);
  EXPECT_NE(line.find("\"url\":\"a\xEF\xBF\xBD"
                      "b\",\"url_base64\":\"Yf9i\""),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("{\"name\":\"X\xEF\xBF\xBD\",\"name_base64\":\"WMM=\",\"value\":\"ok\"}"),
            std::string::npos);
  line.pop_back();
  Result<AttackEvent> parsed = parse_json_event(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, e);
}

TEST(JsonLines, MalformedLinesAreRefusedWithAReason) {
  std::string line;
  append_json_line(small_event(), line);
  line.pop_back();
  auto fails_with = [](std::string text, std::string_view reason) {
    Result<AttackEvent> parsed = parse_json_event(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().message().find(reason), std::string::npos) << parsed.error().message();
  };
  fails_with("[1]", "not a JSON object");
  fails_with(line + "x", "text after the object");
  fails_with("{\"id\":\"1-2\",\"id\":\"1-3\"}", "duplicate member 'id'");
  fails_with(line.substr(0, line.size() - 1) + ",\"url_base64\":\"!!\"}", "not base64");
  fails_with(line.substr(0, line.size() - 1) + ",\"x\":{}}", "malformed value");
  std::string no_site = line;
  no_site.erase(no_site.find("\"site_id\":0,"), 12);
  fails_with(no_site, "missing member 'site_id'");
  std::string text_port = line;
  text_port.replace(text_port.find("\"source_port\":0"), 15, "\"source_port\":\"0\"");
  fails_with(text_port, "not a number");
  EXPECT_TRUE(
      parse_json_event(line.substr(0, line.size() - 1) + ",\"later\":\"ignored\",\"n\":5}").ok());
  // "url" is example.com/"q": exact bytes that are valid UTF-8, or that render otherwise, are
  // refused.
  fails_with(line.substr(0, line.size() - 1) + ",\"url_base64\":\"Yg==\"}", "does not match 'url'");
  fails_with(line.substr(0, line.size() - 1) + ",\"url_base64\":\"ZXhhbXBsZS5jb20vInEi\"}",
             "does not match 'url'");
}

}  // namespace
}  // namespace lj
