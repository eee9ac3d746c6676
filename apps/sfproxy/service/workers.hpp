#pragma once
// WorkerPool runs slow work (password hashing, Salesforce lookups, PBX commands) off the
// network threads, with a bounded queue so a burst is refused rather than piled up.
// Timer runs callbacks later (match deadlines, access polls); tests use ManualTimer.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sfproxy {

class WorkerPool {
 public:
  /// background: the threads run at a low scheduling priority (nice 10), so CPU-bound work
  /// such as a sign-in storm's password hashing takes only what the network threads and
  /// lookups leave, instead of delaying the events of agents already connected.
  enum class Priority { normal, background };

  WorkerPool(std::size_t threads, std::size_t max_queued, Priority priority = Priority::normal);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a task; false when the queue is full or the pool is stopping.
  bool submit(std::function<void()> task);
  /// Runs what is queued, then joins the threads. Idempotent.
  void stop();
  std::size_t queued() const;

 private:
  void run(Priority priority);

  mutable std::mutex m_mutex;
  std::condition_variable m_ready;
  std::deque<std::function<void()>> m_tasks;
  std::vector<std::thread> m_threads;
  std::size_t m_max_queued;
  bool m_stopping = false;
};

/// Runs callbacks after a delay. Callbacks run on the timer's own thread and must be quick.
class Timer {
 public:
  using Id = std::uint64_t;
  virtual ~Timer() = default;
  virtual Id after(std::chrono::milliseconds delay, std::function<void()> callback) = 0;
  /// Cancels a pending callback; false if it already ran or was cancelled.
  virtual bool cancel(Id id) = 0;
};

/// A Timer with one thread and a time-ordered queue. Both calls are O(log n), and after()
/// wakes the thread only when the new callback is the next one due: a match deadline set for
/// every call must not cost a context switch on the call's path.
class ThreadTimer final : public Timer {
 public:
  ThreadTimer();
  ~ThreadTimer() override;
  Id after(std::chrono::milliseconds delay, std::function<void()> callback) override;
  bool cancel(Id id) override;
  void stop();

 private:
  void run();

  using Due = std::pair<std::chrono::steady_clock::time_point, Id>;  // ids break ties: FIFO

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::map<Due, std::function<void()>> m_queue;
  std::unordered_map<Id, std::chrono::steady_clock::time_point> m_pending;  // what cancel() finds
  Id m_next_id = 1;
  bool m_stopping = false;
  std::thread m_thread;
};

/// A Timer driven by hand: advance() runs what has come due. For tests.
class ManualTimer final : public Timer {
 public:
  Id after(std::chrono::milliseconds delay, std::function<void()> callback) override;
  bool cancel(Id id) override;
  /// Moves time forward and runs every callback due by then, in order.
  void advance(std::chrono::milliseconds by);
  std::size_t pending() const;

 private:
  mutable std::mutex m_mutex;
  std::chrono::milliseconds m_now{0};
  std::multimap<std::chrono::milliseconds, std::pair<Id, std::function<void()>>> m_queue;
  Id m_next_id = 1;
};

}  // namespace sfproxy
