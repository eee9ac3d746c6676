// WorkerPool: tasks run, and a background pool's threads run at a lower priority.
// ThreadTimer: callbacks in time order, cancel, an earlier callback not waiting for a later one.

#include "workers.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <vector>

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

TEST_CASE("ThreadTimer: callbacks run in time order, cancelled ones never, ties first come first served") {
  using namespace std::chrono_literals;
  sfproxy::ThreadTimer timer;
  std::mutex mutex;
  std::vector<int> order;
  std::promise<void> done;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
    };
  };
  timer.after(120ms, record(3));
  const auto cancelled = timer.after(60ms, record(99));
  timer.after(60ms, record(1));
  timer.after(60ms, record(2));
  timer.after(200ms, [&] { done.set_value(); });
  CHECK(timer.cancel(cancelled));
  CHECK_FALSE(timer.cancel(cancelled));
  REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  std::lock_guard lock(mutex);
  CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("ThreadTimer: a callback due sooner than the one the thread sleeps for runs on time") {
  using namespace std::chrono_literals;
  sfproxy::ThreadTimer timer;
  timer.after(60s, [] {});
  std::promise<std::chrono::steady_clock::time_point> ran;
  const auto set = std::chrono::steady_clock::now();
  timer.after(20ms, [&] { ran.set_value(std::chrono::steady_clock::now()); });
  auto when = ran.get_future();
  // Far sooner than the 60 s the thread was sleeping for: after() woke it.
  REQUIRE(when.wait_for(30s) == std::future_status::ready);
  CHECK(when.get() - set >= 20ms);
  timer.stop();
  CHECK_FALSE(timer.cancel(1));  // stopping drops what was pending
}
