#pragma once
// BlockingCalls: runs calls that block (libssh, libcurl) on threads of their own and hands each
// answer back on the loop's thread, for the push destinations (prod/io/push_destination.h).
//   - A call's own deadline bounds it (the destination sets it on its library); this only moves
//     the wait off the loop.
//   - A caller's frame destroyed while its call blocks (the process shutting down) is never
//     resumed: the late answer finds the call abandoned and is dropped.
//   - `keep_alive` is held until the call has returned, so the destination a call works on
//     outlives it even when its last user let go; it is released on the pool's thread (a
//     destination's destructor closes sessions, which blocks).
//
// REQUIRES: destroyed after every destination that uses it; its destructor waits for the calls
// still running.

#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>

#include "prod/io/result.h"
#include "prod/io/task.h"

namespace lj::push {

class BlockingCalls {
 public:
  using Poster = std::function<void(std::function<void()>)>;
  // `post_to_loop`: runs a function later on the loop's thread, from any thread
  // (RealRuntime::cross_thread_poster).
  BlockingCalls(unsigned threads, Poster post_to_loop);
  ~BlockingCalls();
  BlockingCalls(const BlockingCalls&) = delete;
  BlockingCalls& operator=(const BlockingCalls&) = delete;

  Task<Status> run(std::shared_ptr<void> keep_alive, std::function<Status()> call);

 private:
  struct Pending;
  struct Await;
  Poster post_;
  boost::asio::thread_pool pool_;
};

}  // namespace lj::push
