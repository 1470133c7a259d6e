#include "prod/logging/logfmt.h"

#include <gtest/gtest.h>

namespace lj {
namespace {

TEST(Logfmt, HostileTextCannotForgeALineOrAField) {
  const std::string line =
      logfmt_line(5, "info", "lumberjack", "node", "lj-1", "bad\n ts=0 level=error msg=\"x\\");
  EXPECT_EQ(line,
            "ts=5 level=info service=lumberjack node=\"lj-1\" msg=\"bad\\x0a ts=0 level=error "
            "msg=\\\"x\\\\\"\n");
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

}  // namespace
}  // namespace lj
