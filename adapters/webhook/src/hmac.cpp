#include "hmac.hpp"

#include <openssl/evp.h>
#include <openssl/crypto.h>

#include <memory>
#include <stdexcept>

namespace cti::adapters::webhook::detail {
namespace {

constexpr std::size_t k_block = 64;  // SHA-256 block size

struct CtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<EVP_MD_CTX, CtxFree>;

void check(int ok) {
  // Only an allocation failure inside OpenSSL can make these fail.
  if (ok != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
}

}  // namespace

HmacSha256::HmacSha256(std::string_view key) {
  std::array<unsigned char, k_block> block{};
  if (key.size() > k_block) {
    unsigned int length = 0;
    check(EVP_Digest(key.data(), key.size(), block.data(), &length, EVP_sha256(), nullptr));
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<unsigned char, k_block> pad{};
  CtxPtr inner(EVP_MD_CTX_new());
  CtxPtr outer(EVP_MD_CTX_new());
  if (!inner || !outer) {
    throw std::bad_alloc();
  }
  for (std::size_t i = 0; i < k_block; ++i) {
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x36);
  }
  check(EVP_DigestInit_ex(inner.get(), EVP_sha256(), nullptr));
  check(EVP_DigestUpdate(inner.get(), pad.data(), pad.size()));
  for (std::size_t i = 0; i < k_block; ++i) {
    pad[i] = static_cast<unsigned char>(block[i] ^ 0x5c);
  }
  check(EVP_DigestInit_ex(outer.get(), EVP_sha256(), nullptr));
  check(EVP_DigestUpdate(outer.get(), pad.data(), pad.size()));
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  m_inner = inner.release();
  m_outer = outer.release();
}

HmacSha256::~HmacSha256() {
  EVP_MD_CTX_free(m_inner);
  EVP_MD_CTX_free(m_outer);
}

HmacSha256::Digest HmacSha256::mac(std::initializer_list<std::string_view> parts) const {
  // Copying a finished key state is a memcpy; the shared states are only read.
  thread_local CtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) {
    throw std::bad_alloc();
  }
  Digest inner{};
  Digest out{};
  unsigned int length = 0;
  check(EVP_MD_CTX_copy_ex(ctx.get(), m_inner));
  for (const auto part : parts) {
    check(EVP_DigestUpdate(ctx.get(), part.data(), part.size()));
  }
  check(EVP_DigestFinal_ex(ctx.get(), inner.data(), &length));
  check(EVP_MD_CTX_copy_ex(ctx.get(), m_outer));
  check(EVP_DigestUpdate(ctx.get(), inner.data(), inner.size()));
  check(EVP_DigestFinal_ex(ctx.get(), out.data(), &length));
  return out;
}

}  // namespace cti::adapters::webhook::detail
