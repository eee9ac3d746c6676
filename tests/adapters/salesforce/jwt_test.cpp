#include "jwt.hpp"

#include "test_keys.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

using namespace cti::adapters::salesforce::detail;

namespace {

std::string base64url_decode(std::string_view text) {
  std::string padded(text);
  for (char& c : padded) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (padded.size() % 4 != 0) {
    padded += '=';
  }
  std::string out(padded.size(), '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(padded.data()),
                                     static_cast<int>(padded.size()));
  REQUIRE(length >= 0);
  out.resize(static_cast<std::size_t>(length) - (text.size() % 4 == 2 ? 2 : text.size() % 4 == 3 ? 1 : 0));
  return out;
}

bool verify_rs256(const std::string& public_pem, std::string_view signed_part, std::string_view signature) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(public_pem.data(), static_cast<int>(public_pem.size())),
                                                &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr),
                                                          &EVP_PKEY_free);
  REQUIRE(key);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
         EVP_DigestVerifyUpdate(context.get(), signed_part.data(), signed_part.size()) == 1 &&
         EVP_DigestVerifyFinal(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size()) == 1;
}

}  // namespace

TEST_CASE("base64url: RFC 4648 vectors without padding, URL alphabet") {
  CHECK(base64url("") == "");
  CHECK(base64url("f") == "Zg");
  CHECK(base64url("fo") == "Zm8");
  CHECK(base64url("foo") == "Zm9v");
  CHECK(base64url("foob") == "Zm9vYg");
  CHECK(base64url("fooba") == "Zm9vYmE");
  CHECK(base64url("foobar") == "Zm9vYmFy");
  CHECK(base64url("\xfb\xff\xfe") == "-__-");
}

TEST_CASE("JWT bearer assertion: RS256 over header.claims, verifiable with the public key") {
  const auto& keys = test_keys();
  auto signer = JwtSigner::from_pem_file(keys.jwt_key_file);
  REQUIRE(signer);
  const auto expires = std::chrono::system_clock::time_point(std::chrono::seconds(1700000180));
  auto token = signer->assertion({"3MVG9\"key", "integration@acme.com", "https://login.salesforce.com", expires});
  REQUIRE(token);
  const std::size_t first = token->find('.');
  const std::size_t second = token->find('.', first + 1);
  REQUIRE(second != std::string::npos);
  CHECK(base64url_decode(token->substr(0, first)) == R"({"alg":"RS256","typ":"JWT"})");
  CHECK(base64url_decode(token->substr(first + 1, second - first - 1)) ==
        R"({"iss":"3MVG9\"key","sub":"integration@acme.com","aud":"https://login.salesforce.com","exp":1700000180})");
  CHECK(verify_rs256(keys.jwt_public_pem, token->substr(0, second), base64url_decode(token->substr(second + 1))));
  CHECK_FALSE(verify_rs256(keys.jwt_public_pem, token->substr(0, second) + "x",
                           base64url_decode(token->substr(second + 1))));
}

TEST_CASE("JWT signer: refuses what is not an unencrypted RSA key, without echoing it") {
  auto missing = JwtSigner::from_pem_file("/nonexistent/key.pem");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("/nonexistent/key.pem") != std::string::npos);
  auto junk = JwtSigner::from_pem("-----BEGIN PRIVATE KEY-----\nsecretish\n-----END PRIVATE KEY-----\n");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message.find("secretish") == std::string::npos);
  CHECK_FALSE(JwtSigner::from_pem(test_keys().jwt_public_pem));
}
