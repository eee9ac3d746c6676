#include "net/server_state.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace sfproxy::net {
namespace {

// The mailbox of the reactor running on this thread, if any.
thread_local Mailbox* t_bound_mailbox = nullptr;

}  // namespace

ServerStats ServerCounters::snapshot() const noexcept {
  ServerStats stats;
  stats.connections_accepted = connections_accepted.load(std::memory_order_relaxed);
  stats.connections_open = connections_open.load(std::memory_order_relaxed);
  stats.streams_open = streams_open.load(std::memory_order_relaxed);
  stats.tls_handshake_failures = tls_handshake_failures.load(std::memory_order_relaxed);
  stats.requests = requests.load(std::memory_order_relaxed);
  stats.bad_requests = bad_requests.load(std::memory_order_relaxed);
  stats.streams_cut = streams_cut.load(std::memory_order_relaxed);
  stats.connections_refused = connections_refused.load(std::memory_order_relaxed);
  return stats;
}

Mailbox::Mailbox() : m_eventfd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Mailbox::~Mailbox() {
  if (m_eventfd >= 0) ::close(m_eventfd);
}

bool Mailbox::post(Task task) {
  if (t_bound_mailbox == this) {
    std::lock_guard lock(m_mutex);
    if (m_closed) return false;
    m_local.push_back(std::move(task));
    return true;
  }
  bool wake = false;
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return false;
    m_remote.push_back(std::move(task));
    wake = !m_wake_pending;
    m_wake_pending = true;
  }
  if (wake) {
    const std::uint64_t one = 1;
    // A full counter (impossible in practice) still leaves the reactor readable.
    [[maybe_unused]] const ssize_t written = ::write(m_eventfd, &one, sizeof one);
  }
  return true;
}

void Mailbox::bind_to_current_thread() noexcept { t_bound_mailbox = this; }

std::vector<Task> Mailbox::take_remote() {
  std::uint64_t count = 0;
  while (::read(m_eventfd, &count, sizeof count) > 0) {
  }
  std::vector<Task> tasks;
  std::lock_guard lock(m_mutex);
  tasks.swap(m_remote);
  m_wake_pending = false;
  return tasks;
}

std::vector<Task> Mailbox::take_local() {
  std::vector<Task> tasks;
  std::lock_guard lock(m_mutex);
  tasks.swap(m_local);
  return tasks;
}

std::vector<Task> Mailbox::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
  std::vector<Task> tasks = std::move(m_local);
  m_local.clear();
  for (auto& task : m_remote) tasks.push_back(std::move(task));
  m_remote.clear();
  if (t_bound_mailbox == this) t_bound_mailbox = nullptr;
  return tasks;
}

}  // namespace sfproxy::net
