#include "store/password_hash.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using sfproxy::PasswordHasher;
using store_test::cheap_hasher;

TEST_CASE("a password hash is an Argon2id PHC string that verifies only its password") {
  const auto hash = cheap_hasher().hash("correct horse");
  REQUIRE(hash);
  CHECK(hash->rfind("$argon2id$v=19$m=8,t=1,p=1$", 0) == 0);
  CHECK(hash->find("correct horse") == std::string::npos);
  CHECK(cheap_hasher().verify(*hash, "correct horse"));
  CHECK_FALSE(cheap_hasher().verify(*hash, "correct horsf"));
  CHECK_FALSE(cheap_hasher().verify(*hash, ""));

  // A fresh salt each time.
  const auto again = cheap_hasher().hash("correct horse");
  REQUIRE(again);
  CHECK(*again != *hash);
  CHECK(cheap_hasher().verify(*again, "correct horse"));
}

TEST_CASE("passwords are 8 to 128 bytes and never quoted in the error") {
  CHECK_FALSE(cheap_hasher().hash("1234567"));
  CHECK(cheap_hasher().hash("12345678"));
  CHECK(cheap_hasher().hash(std::string(128, 'x')));
  const auto long_one = cheap_hasher().hash(std::string(129, 'x'));
  REQUIRE_FALSE(long_one);
  CHECK(long_one.error().code == cti::ErrorCode::invalid_input);
  CHECK(long_one.error().message.find("xxxx") == std::string::npos);
  const auto short_one = cheap_hasher().hash("s3cr3t!");
  REQUIRE_FALSE(short_one);
  CHECK(short_one.error().message.find("s3cr3t") == std::string::npos);
  CHECK(short_one.error().message.find("8 to 128 bytes") != std::string::npos);
}

TEST_CASE("malformed stored hashes are mismatches, and need a rehash") {
  for (const std::string& stored : {std::string(), std::string("plain text"),
                                   std::string("$argon2id$v=19$m=8,t=1,p=1$broken"),
                                   std::string(300, '$'), std::string("$argon2id\0x", 11)}) {
    CAPTURE(stored);
    CHECK_FALSE(cheap_hasher().verify(stored, "whatever1"));
    CHECK(cheap_hasher().needs_rehash(stored));
  }
  CHECK_FALSE(cheap_hasher().verify_dummy("whatever1"));
}

TEST_CASE("a hash made at another cost needs a rehash") {
  const auto cheap = cheap_hasher().hash("password1");
  REQUIRE(cheap);
  CHECK_FALSE(cheap_hasher().needs_rehash(*cheap));

  const PasswordHasher production;
  CHECK(production.cost().opslimit == 2);
  CHECK(production.cost().memlimit == 19u * 1024 * 1024);
  CHECK(production.needs_rehash(*cheap));
  CHECK(production.verify(*cheap, "password1"));  // old hashes still verify

  const auto strong = production.hash("password1");
  REQUIRE(strong);
  CHECK(strong->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  CHECK_FALSE(production.needs_rehash(*strong));
  CHECK(cheap_hasher().needs_rehash(*strong));
}
