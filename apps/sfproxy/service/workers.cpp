#include "workers.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace sfproxy {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued, Priority priority)
    : m_max_queued(max_queued) {
  m_threads.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    m_threads.emplace_back([this, priority] { run(priority); });
  }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_tasks.size() >= m_max_queued) {
      return false;
    }
    m_tasks.push_back(std::move(task));
  }
  m_ready.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping && m_threads.empty()) {
      return;
    }
    m_stopping = true;
  }
  m_ready.notify_all();
  for (auto& thread : m_threads) {
    if (thread.joinable()) {
      thread.join();
    }
  }
  m_threads.clear();
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(m_mutex);
  return m_tasks.size();
}

void WorkerPool::run(Priority priority) {
  if (priority == Priority::background) {
    // Linux applies a nice value to one thread when given its thread id. Best effort: a
    // refusal leaves the thread at normal priority.
    [[maybe_unused]] const int niced = ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  }
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(m_mutex);
      m_ready.wait(lock, [&] { return m_stopping || !m_tasks.empty(); });
      if (m_tasks.empty()) {
        return;  // stopping and drained
      }
      task = std::move(m_tasks.front());
      m_tasks.pop_front();
    }
    task();
  }
}

ThreadTimer::ThreadTimer() : m_thread([this] { run(); }) {}

ThreadTimer::~ThreadTimer() { stop(); }

void ThreadTimer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    m_queue.clear();
    m_pending.clear();
  }
  m_changed.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
}

Timer::Id ThreadTimer::after(std::chrono::milliseconds delay, std::function<void()> callback) {
  Id id = 0;
  bool first = false;
  {
    std::lock_guard lock(m_mutex);
    id = m_next_id++;
    const auto due = std::chrono::steady_clock::now() + delay;
    const auto it = m_queue.emplace(Due{due, id}, std::move(callback)).first;
    m_pending.emplace(id, due);
    first = it == m_queue.begin();
  }
  if (first) {
    m_changed.notify_one();  // the thread sleeps until a later time or for good
  }
  return id;
}

bool ThreadTimer::cancel(Id id) {
  std::lock_guard lock(m_mutex);
  const auto it = m_pending.find(id);
  if (it == m_pending.end()) {
    return false;
  }
  m_queue.erase(Due{it->second, id});
  m_pending.erase(it);
  return true;
}

void ThreadTimer::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (m_queue.empty()) {
      m_changed.wait(lock);
      continue;
    }
    const auto due = m_queue.begin()->first.first;
    if (std::chrono::steady_clock::now() < due) {
      m_changed.wait_until(lock, due);
      continue;
    }
    auto callback = std::move(m_queue.begin()->second);
    m_pending.erase(m_queue.begin()->first.second);
    m_queue.erase(m_queue.begin());
    lock.unlock();
    callback();
    lock.lock();
  }
}

Timer::Id ManualTimer::after(std::chrono::milliseconds delay, std::function<void()> callback) {
  std::lock_guard lock(m_mutex);
  Id id = m_next_id++;
  m_queue.emplace(m_now + delay, std::make_pair(id, std::move(callback)));
  return id;
}

bool ManualTimer::cancel(Id id) {
  std::lock_guard lock(m_mutex);
  for (auto it = m_queue.begin(); it != m_queue.end(); ++it) {
    if (it->second.first == id) {
      m_queue.erase(it);
      return true;
    }
  }
  return false;
}

void ManualTimer::advance(std::chrono::milliseconds by) {
  std::unique_lock lock(m_mutex);
  const auto until = m_now + by;
  while (!m_queue.empty() && m_queue.begin()->first <= until) {
    m_now = m_queue.begin()->first;
    auto callback = std::move(m_queue.begin()->second.second);
    m_queue.erase(m_queue.begin());
    lock.unlock();
    callback();
    lock.lock();
  }
  m_now = until;
}

std::size_t ManualTimer::pending() const {
  std::lock_guard lock(m_mutex);
  return m_queue.size();
}

}  // namespace sfproxy
