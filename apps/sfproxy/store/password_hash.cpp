#include "password_hash.hpp"

#include <sodium.h>

#include <array>
#include <cstring>

namespace sfproxy {
namespace {

// sodium_init() is idempotent and thread-safe; it only fails when the system has no source
// of randomness, which no sign-in could survive.
void init_sodium() {
  if (sodium_init() < 0) {
    throw cti::ConfigError("libsodium could not be initialised (no source of randomness?)");
  }
}

// libsodium wants a NUL-terminated hash of fewer than crypto_pwhash_STRBYTES bytes.
using HashBuffer = std::array<char, crypto_pwhash_STRBYTES>;

bool to_buffer(std::string_view stored, HashBuffer& buffer) {
  if (stored.empty() || stored.size() >= buffer.size() ||
      stored.find('\0') != std::string_view::npos) {
    return false;
  }
  buffer.fill('\0');
  std::memcpy(buffer.data(), stored.data(), stored.size());
  return true;
}

std::string make_dummy_hash(const PasswordCost& cost) {
  // A random password nobody knows: the dummy can never verify.
  std::array<unsigned char, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  HashBuffer out{};
  if (crypto_pwhash_str_alg(out.data(), reinterpret_cast<const char*>(secret.data()), secret.size(),
                            cost.opslimit, cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw cti::ConfigError("cannot compute a password hash: out of memory");
  }
  sodium_memzero(secret.data(), secret.size());
  return std::string(out.data());
}

}  // namespace

cti::Result<void> validate_password(std::string_view password) {
  if (password.size() < k_min_password_bytes || password.size() > k_max_password_bytes) {
    return cti::fail(cti::ErrorCode::invalid_input,
                     "a password must be " + std::to_string(k_min_password_bytes) + " to " +
                         std::to_string(k_max_password_bytes) + " bytes long (got " +
                         std::to_string(password.size()) + ")");
  }
  return {};
}

PasswordHasher::PasswordHasher() : PasswordHasher(PasswordCost{}) {}

PasswordHasher::PasswordHasher(PasswordCost cost) : m_cost(cost) {
  init_sodium();
  m_dummy_hash = std::make_shared<const std::string>(make_dummy_hash(m_cost));
}

PasswordHasher PasswordHasher::with_cost_for_test(PasswordCost cost) { return PasswordHasher(cost); }

cti::Result<std::string> PasswordHasher::hash(std::string_view password) const {
  CTI_TRY(validate_password(password));
  HashBuffer out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), m_cost.opslimit,
                            m_cost.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return cti::fail(cti::ErrorCode::internal, "cannot hash the password: out of memory");
  }
  return std::string(out.data());
}

bool PasswordHasher::verify(std::string_view stored, std::string_view password) const {
  HashBuffer buffer{};
  if (!to_buffer(stored, buffer)) {
    return false;
  }
  return crypto_pwhash_str_verify(buffer.data(), password.data(), password.size()) == 0;
}

bool PasswordHasher::verify_dummy(std::string_view password) const {
  (void)verify(*m_dummy_hash, password);
  return false;
}

bool PasswordHasher::needs_rehash(std::string_view stored) const {
  HashBuffer buffer{};
  if (!to_buffer(stored, buffer)) {
    return true;
  }
  return crypto_pwhash_str_needs_rehash(buffer.data(), m_cost.opslimit, m_cost.memlimit) != 0;
}

}  // namespace sfproxy
