#include "prod/io/invariant.h"

#include <cstdio>
#include <cstdlib>

namespace lj {

namespace {

struct Context {
  InvariantContext describe = nullptr;
  const void* owner = nullptr;
};
thread_local Context context;

}  // namespace

void set_invariant_context(InvariantContext describe, const void* owner) {
  context = Context{describe, owner};
}

void clear_invariant_context(const void* owner) {
  if (context.owner == owner) context = Context{};
}

void invariant_failed(const char* expression, const char* file, int line) {
  std::string where;
  if (context.describe != nullptr) where = "; " + context.describe(context.owner);
  std::fprintf(stderr, "invariant failed: %s (%s:%d)%s\n", expression, file, line, where.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace lj
