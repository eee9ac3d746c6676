#include "jwt.hpp"

#include "text.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <climits>
#include <fstream>

namespace cti::adapters::salesforce::detail {
namespace {

constexpr std::size_t k_max_key_file_bytes = 64 * 1024;

struct BioDeleter {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct MdContextDeleter {
  void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};

EVP_PKEY* key_of(const std::shared_ptr<void>& key) { return static_cast<EVP_PKEY*>(key.get()); }

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned>(static_cast<unsigned char>(bytes[at])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += k_alphabet[(value >> 18) & 0x3F];
    out += k_alphabet[(value >> 12) & 0x3F];
    out += k_alphabet[(value >> 6) & 0x3F];
    out += k_alphabet[value & 0x3F];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned value = byte(i) << 16;
    out += k_alphabet[(value >> 18) & 0x3F];
    out += k_alphabet[(value >> 12) & 0x3F];
  } else if (rest == 2) {
    const unsigned value = (byte(i) << 16) | (byte(i + 1) << 8);
    out += k_alphabet[(value >> 18) & 0x3F];
    out += k_alphabet[(value >> 12) & 0x3F];
    out += k_alphabet[(value >> 6) & 0x3F];
  }
  return out;
}

cti::Result<JwtSigner> JwtSigner::from_pem_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return cti::fail(ErrorCode::invalid_input, "cannot read private key file '" + path + "'");
  }
  std::string pem;
  pem.resize(k_max_key_file_bytes + 1);
  file.read(pem.data(), static_cast<std::streamsize>(pem.size()));
  pem.resize(static_cast<std::size_t>(file.gcount()));
  if (pem.size() > k_max_key_file_bytes) {
    return cti::fail(ErrorCode::invalid_input, "private key file '" + path + "' is too large");
  }
  auto signer = from_pem(pem);
  if (!signer) {
    return cti::fail(ErrorCode::invalid_input,
                     "private key file '" + path + "': " + signer.error().message);
  }
  return signer;
}

cti::Result<JwtSigner> JwtSigner::from_pem(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return cti::fail(ErrorCode::invalid_input, "not a PEM private key");
  }
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return cti::fail(ErrorCode::internal, "out of memory reading the private key");
  }
  // No passphrase callback: an encrypted key fails here instead of prompting on a terminal.
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                          [](char*, int, int, void*) { return 0; }, nullptr);
  ERR_clear_error();
  if (raw == nullptr) {
    return cti::fail(ErrorCode::invalid_input,
                     "not an unencrypted PEM private key (PKCS#1 or PKCS#8)");
  }
  std::shared_ptr<void> key(raw, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
  if (EVP_PKEY_base_id(raw) != EVP_PKEY_RSA) {
    return cti::fail(ErrorCode::invalid_input, "the key is not an RSA key (RS256 needs one)");
  }
  if (EVP_PKEY_get_bits(raw) < 2048) {
    return cti::fail(ErrorCode::invalid_input, "the RSA key is shorter than 2048 bits");
  }
  return JwtSigner(std::move(key));
}

cti::Result<std::string> JwtSigner::assertion(const JwtClaims& claims) const {
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                       claims.expires.time_since_epoch())
                       .count();
  std::string payload = "{\"iss\":";
  append_json_string(payload, claims.issuer);
  payload += ",\"sub\":";
  append_json_string(payload, claims.subject);
  payload += ",\"aud\":";
  append_json_string(payload, claims.audience);
  payload += ",\"exp\":" + std::to_string(exp) + "}";

  std::string token = base64url(R"({"alg":"RS256","typ":"JWT"})");
  token += '.';
  token += base64url(payload);

  std::unique_ptr<EVP_MD_CTX, MdContextDeleter> context(EVP_MD_CTX_new());
  std::size_t length = 0;
  std::string signature;
  bool ok = context != nullptr &&
            EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_of(m_key)) == 1 &&
            EVP_DigestSignUpdate(context.get(), token.data(), token.size()) == 1 &&
            EVP_DigestSignFinal(context.get(), nullptr, &length) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSignFinal(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                             &length) == 1;
    signature.resize(length);
  }
  ERR_clear_error();
  if (!ok) {
    return cti::fail(ErrorCode::internal, "signing the JWT assertion failed");
  }
  token += '.';
  token += base64url(signature);
  return token;
}

}  // namespace cti::adapters::salesforce::detail
