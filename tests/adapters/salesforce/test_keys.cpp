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
      "' -days 2 -subj '/CN=" + name + "' -addext 'subjectAltName=" + alt_names + "'");
}

struct Holder {
  TestKeys keys;

  Holder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cti-sf-keys-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary folder");
    }
    keys.dir = pattern;
    const auto in_dir = [&](const char* name) { return keys.dir + "/" + name; };
    keys.jwt_key_file = in_dir("jwt.key");
    run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '" + keys.jwt_key_file + "'");
    run("openssl req -x509 -new -key '" + keys.jwt_key_file + "' -days 2 -subj '/CN=cti connected app' -out '" +
        in_dir("jwt.crt") + "'");
    run("openssl pkey -in '" + keys.jwt_key_file + "' -pubout -out '" + in_dir("jwt.pub") + "'");
    keys.jwt_cert_pem = read_file(in_dir("jwt.crt"));
    keys.jwt_public_pem = read_file(in_dir("jwt.pub"));

    keys.tls_key_file = in_dir("server.key");
    keys.tls_cert_file = in_dir("server.crt");
    make_certificate(keys.tls_key_file, keys.tls_cert_file, "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    keys.other_key_file = in_dir("other.key");
    keys.other_cert_file = in_dir("other.crt");
    make_certificate(keys.other_key_file, keys.other_cert_file, "127.0.0.1", "IP:127.0.0.1");
    keys.wrong_host_key_file = in_dir("wrong.key");
    keys.wrong_host_cert_file = in_dir("wrong.crt");
    make_certificate(keys.wrong_host_key_file, keys.wrong_host_cert_file, "wrong.example",
                     "DNS:wrong.example");
  }

  ~Holder() {
    std::error_code ignored;
    std::filesystem::remove_all(keys.dir, ignored);
  }
};

}  // namespace

const TestKeys& test_keys() {
  static const Holder holder;
  return holder.keys;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}
