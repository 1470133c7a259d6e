#include "prod/lumberjack/push_cursor.h"

#include <gtest/gtest.h>

namespace lj::lumberjack {
namespace {

TEST(PushCursor, RoundTrips) {
  const PushCursor cursor{"sftp://siem@host:22/in", 41};
  Result<PushCursor> decoded = PushCursor::decode(cursor.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  EXPECT_EQ(*decoded, cursor);
}

TEST(PushCursor, RefusesAnythingElse) {
  for (const char* text : {"", "url=x\n", "url=x\nthrough=\n", "url=x\nthrough=-1\n",
                           "url=x\nthrough=1", "url=x\nthrough=1\nmore\n", "through=1\nurl=x\n",
                           "url=x\nthrough=99999999999999999999999\n"}) {
    EXPECT_FALSE(PushCursor::decode(text).ok()) << text;
  }
}

}  // namespace
}  // namespace lj::lumberjack
