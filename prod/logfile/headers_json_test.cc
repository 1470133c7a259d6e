#include "prod/logfile/headers_json.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

TEST(HeadersJson, WritesArrayOfOneMemberObjects) {
  std::vector<HttpHeader> headers = {{"Accept", "*/*"}, {"X", "a\"b\\c\n"}, {"X", ""}};
  std::string json;
  append_headers_json(headers, json);
  EXPECT_EQ(json, R"([{"Accept":"*/*"},{"X":"a\"b\\c\u000a"},{"X":""}])");
  auto parsed = parse_headers_json(json);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, headers);
}

TEST(HeadersJson, EmptyList) {
  std::string json;
  append_headers_json({}, json);
  EXPECT_EQ(json, "[]");
  auto parsed = parse_headers_json(json);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(HeadersJson, AcceptsStandardEscapesAndWhitespace) {
  auto parsed = parse_headers_json(R"( [ {"a" : "\u00e9\t\/"} ] )");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0].value, "\xc3\xa9\t/");
}

TEST(HeadersJson, RejectsMalformed) {
  for (std::string_view bad : {"", "[", "[{}]", R"([{"a":"b"})", R"([{"a":"b"}]x)",
                               R"([{"a":"\q"}])", R"([{"a":"\ud800"}])", "[{\"a\":\"\x01\"}]"}) {
    EXPECT_FALSE(parse_headers_json(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace lj
