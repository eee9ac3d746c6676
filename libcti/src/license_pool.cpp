// LicensePool lives in agent.hpp (agents need a seat to sign in) but has its own source.
#include "cti/agent.hpp"

#include <utility>

namespace cti {
namespace {

std::string seats_phrase(std::size_t seats) {
  return std::to_string(seats) + (seats == 1 ? " seat" : " seats");
}

}  // namespace

LicensePool::LicensePool(std::string name, std::size_t seats)
    : m_name(std::move(name)), m_seats(seats) {}

std::size_t LicensePool::total() const {
  std::lock_guard lock(m_mutex);
  return m_seats;
}

std::size_t LicensePool::assigned() const {
  std::lock_guard lock(m_mutex);
  return m_members.size();
}

bool LicensePool::is_assigned(std::string_view extension) const {
  std::lock_guard lock(m_mutex);
  return m_members.find(extension) != m_members.end();
}

std::vector<std::string> LicensePool::members() const {
  std::lock_guard lock(m_mutex);
  return {m_members.begin(), m_members.end()};  // a std::set is already sorted
}

Result<void> LicensePool::assign(std::string_view extension) {
  CTI_TRY(validate_extension(extension));
  std::lock_guard lock(m_mutex);
  if (m_members.find(extension) != m_members.end()) {
    return {};
  }
  if (m_members.size() >= m_seats) {
    if (m_seats == 0) {
      return fail(ErrorCode::conflict, "licence \"" + m_name + "\": it has no seats");
    }
    const std::string all =
        m_seats == 1 ? "its only seat is" : "all " + seats_phrase(m_seats) + " are";
    return fail(ErrorCode::conflict, "licence \"" + m_name + "\": " + all + " assigned");
  }
  m_members.emplace(extension);
  return {};
}

Result<void> LicensePool::unassign(std::string_view extension) {
  CTI_TRY(validate_extension(extension));
  std::lock_guard lock(m_mutex);
  const auto it = m_members.find(extension);
  if (it == m_members.end()) {
    return fail(ErrorCode::not_found, "licence \"" + m_name + "\": extension " +
                                          std::string(extension) + " holds no seat");
  }
  m_members.erase(it);
  return {};
}

Result<void> LicensePool::resize(std::size_t seats) {
  std::lock_guard lock(m_mutex);
  if (seats < m_members.size()) {
    return fail(ErrorCode::conflict,
                "licence \"" + m_name + "\": cannot reduce to " + seats_phrase(seats) + " while " +
                    std::to_string(m_members.size()) + " are assigned; unassign some first");
  }
  m_seats = seats;
  return {};
}

}  // namespace cti
