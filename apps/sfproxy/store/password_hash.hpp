#pragma once
// PasswordHasher: agents' sign-in passwords as Argon2id hashes (libsodium's PHC strings, which
// carry their own salt and cost, so a change of cost only affects new hashes).
//
// Hashing is slow on purpose: at the production cost (OWASP's m=19 MiB, t=2, p=1) one hash
// or one verification takes tens of milliseconds of CPU and 19 MiB of memory. Call it from a
// bounded worker pool, never from a network thread, and throttle sign-ins before hashing.

#include "cti/result.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sfproxy {

/// The cost of one Argon2id hash. The defaults are the production values.
struct PasswordCost {
  unsigned long long opslimit = 2;     ///< passes over memory (t)
  std::size_t memlimit = 19u << 20;    ///< bytes of memory (m = 19 MiB)
};

/// Passwords are 8 to 128 bytes (any bytes; UTF-8 is counted in bytes).
inline constexpr std::size_t k_min_password_bytes = 8;
inline constexpr std::size_t k_max_password_bytes = 128;

/// invalid_input when the password is too short or too long; the message never contains it.
cti::Result<void> validate_password(std::string_view password);

/// Hashes and verifies passwords. Copies share one dummy hash; thread-safe.
class PasswordHasher {
 public:
  /// The production cost. Computes the dummy hash once, so construction costs one hash.
  PasswordHasher();

  /// A lower cost, so tests do not spend seconds hashing. Never use it for real passwords:
  /// the daemon's configuration has no way to reach it.
  static PasswordHasher with_cost_for_test(PasswordCost cost);

  /// A PHC string ("$argon2id$v=19$m=19456,t=2,p=1$..."). invalid_input for a password out
  /// of bounds; internal when libsodium cannot get the memory.
  cti::Result<std::string> hash(std::string_view password) const;

  /// True when `password` matches `stored`. A malformed `stored` is simply a mismatch.
  bool verify(std::string_view stored, std::string_view password) const;

  /// The same work as verify() against a fixed dummy hash, always false: used for unknown
  /// agents so that a sign-in cannot tell them from known ones by its duration.
  bool verify_dummy(std::string_view password) const;

  /// True when `stored` was made with another cost or algorithm (or is malformed) and should
  /// be replaced after the next successful sign-in.
  bool needs_rehash(std::string_view stored) const;

  const PasswordCost& cost() const noexcept { return m_cost; }

 private:
  explicit PasswordHasher(PasswordCost cost);

  PasswordCost m_cost;
  std::shared_ptr<const std::string> m_dummy_hash;
};

}  // namespace sfproxy
