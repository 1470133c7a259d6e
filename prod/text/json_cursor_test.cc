#include "prod/text/json_cursor.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

std::string parsed_string(std::string_view json, bool& ok) {
  JsonCursor cursor(json);
  std::string out;
  ok = cursor.string(out) && cursor.at_end();
  return out;
}

TEST(JsonCursor, UnescapesEveryEscapeJsonHas) {
  bool ok = false;
  EXPECT_EQ(parsed_string(R"( "a\"b\\c\/d\b\f\n\r\t\u00e9\u20ac" )", ok),
            "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac");
  EXPECT_TRUE(ok);
}

TEST(JsonCursor, RefusesWhatIsNotAWellFormedString) {
  for (std::string_view bad : {R"("open)", R"("bad \q escape")", R"("\u12")", R"("\u12g4")",
                               R"("\ud800")", "\"raw\ncontrol\"", R"(noquote)", R"("trailing\)"}) {
    bool ok = true;
    parsed_string(bad, ok);
    EXPECT_FALSE(ok) << bad;
  }
}

TEST(JsonCursor, WalksObjectsAndScalars) {
  JsonCursor cursor(R"([ {"name":"1001_1.log", "size": 12}, {"mtime":null} ])");
  std::string key, value, size, null;
  ASSERT_TRUE(cursor.consume('['));
  ASSERT_TRUE(cursor.consume('{'));
  ASSERT_TRUE(cursor.string(key) && cursor.consume(':') && cursor.peek('"') &&
              cursor.string(value));
  EXPECT_EQ(key + "=" + value, "name=1001_1.log");
  key.clear();
  ASSERT_TRUE(cursor.consume(',') && cursor.string(key) && cursor.consume(':') &&
              cursor.scalar(size));
  EXPECT_EQ(size, "12");
  ASSERT_TRUE(cursor.consume('}') && cursor.consume(',') && cursor.consume('{'));
  key.clear();
  ASSERT_TRUE(cursor.string(key) && cursor.consume(':') && cursor.scalar(null));
  EXPECT_EQ(null, "null");
  EXPECT_FALSE(cursor.scalar(null)) << "nothing scalar before '}'";
  ASSERT_TRUE(cursor.consume('}') && cursor.consume(']'));
  EXPECT_TRUE(cursor.at_end());
}

}  // namespace
}  // namespace lj
