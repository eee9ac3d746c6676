#include "test_keys.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace {

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("test key generation failed: " + command);
  }
}

void make_certificate(const std::string& key, const std::string& cert, const std::string& name,
                      const std::string& alt_names) {
  run("openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + key + "' -out '" + cert +
      "' -days 3650 -subj '/CN=" + name + "' -addext 'subjectAltName=" + alt_names + "'");
}

void generate(const std::string& dir) {
  const auto in_dir = [&](const char* name) { return dir + "/" + name; };
  run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '" + in_dir("jwt.key") + "'");
  run("openssl req -x509 -new -key '" + in_dir("jwt.key") +
      "' -days 3650 -subj '/CN=cti connected app' -out '" + in_dir("jwt.crt") + "'");
  run("openssl pkey -in '" + in_dir("jwt.key") + "' -pubout -out '" + in_dir("jwt.pub") + "'");
  make_certificate(in_dir("server.key"), in_dir("server.crt"), "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
  make_certificate(in_dir("other.key"), in_dir("other.crt"), "127.0.0.1", "IP:127.0.0.1");
  make_certificate(in_dir("wrong.key"), in_dir("wrong.crt"), "wrong.example", "DNS:wrong.example");
}

TestKeys name_files(const std::string& dir) {
  TestKeys keys;
  keys.dir = dir;
  const auto in_dir = [&](const char* name) { return dir + "/" + name; };
  keys.jwt_key_file = in_dir("jwt.key");
  keys.jwt_cert_pem = read_file(in_dir("jwt.crt"));
  keys.jwt_public_pem = read_file(in_dir("jwt.pub"));
  keys.tls_key_file = in_dir("server.key");
  keys.tls_cert_file = in_dir("server.crt");
  keys.other_key_file = in_dir("other.key");
  keys.other_cert_file = in_dir("other.crt");
  keys.wrong_host_key_file = in_dir("wrong.key");
  keys.wrong_host_cert_file = in_dir("wrong.crt");
  return keys;
}

/// ctest runs each case in its own process, so the keys are made once into the build tree
/// (CTI_SF_TEST_KEY_DIR) and reused. Each process generates into its own folder and renames
/// it into place; one that loses the race uses the winner's keys.
TestKeys make_keys() {
  const std::string target = CTI_SF_TEST_KEY_DIR;
  if (!std::filesystem::exists(target + "/wrong.crt")) {
    std::filesystem::create_directories(std::filesystem::path(target).parent_path());
    std::string pattern = target + ".tmp-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary folder next to " + target);
    }
    generate(pattern);
    std::error_code error;
    std::filesystem::rename(pattern, target, error);
    if (error) {
      std::filesystem::remove_all(pattern, error);
    }
  }
  return name_files(target);
}

}  // namespace

const TestKeys& test_keys() {
  static const TestKeys keys = make_keys();
  return keys;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
