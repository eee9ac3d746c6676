#pragma once
// HmacSha256: HMAC-SHA256 with the key's inner and outer hash states computed once, so each
// message costs only its own hashing (the ingest path signs-and-compares every request).

#include <array>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

using EVP_MD_CTX = struct evp_md_ctx_st;

namespace cti::adapters::webhook::detail {

class HmacSha256 {
 public:
  using Digest = std::array<unsigned char, 32>;

  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  /// The MAC of the concatenation of `parts`. Safe to call from several threads at once.
  Digest mac(std::initializer_list<std::string_view> parts) const;

 private:
  EVP_MD_CTX* m_inner = nullptr;  // SHA-256 state after (key ^ ipad)
  EVP_MD_CTX* m_outer = nullptr;  // SHA-256 state after (key ^ opad)
};

/// Lower-case hex of `size` bytes.
std::string to_hex(const unsigned char* data, std::size_t size);

}  // namespace cti::adapters::webhook::detail
