// WorkerPool: tasks run, and a background pool's threads run at a lower priority.

#include "workers.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <future>

namespace {

int nice_of_a_task(sfproxy::WorkerPool& pool) {
  std::promise<int> result;
  REQUIRE(pool.submit([&result] {
    errno = 0;
    result.set_value(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())));
  }));
  return result.get_future().get();
}

}  // namespace

TEST_CASE("a background pool runs its tasks at nice 10 or lower priority; a normal pool at the process's") {
  const int process_nice = ::getpriority(PRIO_PROCESS, 0);
  sfproxy::WorkerPool normal(1, 4);
  sfproxy::WorkerPool background(1, 4, sfproxy::WorkerPool::Priority::background);
  CHECK(nice_of_a_task(normal) == process_nice);
  CHECK(nice_of_a_task(background) >= 10);
}

TEST_CASE("a full queue refuses, and stop runs what was queued") {
  sfproxy::WorkerPool pool(1, 2, sfproxy::WorkerPool::Priority::background);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  std::promise<void> started;
  REQUIRE(pool.submit([&] {
    started.set_value();
    gate.wait();
    ++ran;
  }));
  started.get_future().wait();  // the thread holds the first task; the queue is empty
  CHECK(pool.submit([&] { ++ran; }));
  CHECK(pool.submit([&] { ++ran; }));
  CHECK_FALSE(pool.submit([&] { ++ran; }));
  release.set_value();
  pool.stop();
  CHECK(ran == 3);
}
