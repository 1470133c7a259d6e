#pragma once
// LJ_ASSERT(condition): an invariant the code relies on, checked in every build - the daemons'
// RelWithDebInfo and Release builds included (a plain assert() is compiled out there). A
// failure prints the expression and file:line, plus where it happened when the code runs
// inside something that can say (the simulator: its seed and virtual time, so the failure
// replays), then aborts: an invariant that does not hold is a bug, never an error to handle.
// Cheap enough for hot paths: one branch.

#include <string>

#define LJ_ASSERT(condition)                           \
  (static_cast<bool>(condition) ? static_cast<void>(0) \
                                : ::lj::invariant_failed(#condition, __FILE__, __LINE__))

namespace lj {

[[noreturn]] void invariant_failed(const char* expression, const char* file, int line);

// Says where a failure happened beyond file:line; `owner` is handed back. Per thread: the
// simulator sets it for the simulation it runs, and clears it (owner given) when done.
using InvariantContext = std::string (*)(const void* owner);
void set_invariant_context(InvariantContext describe, const void* owner);
void clear_invariant_context(const void* owner);

}  // namespace lj
