#pragma once
// A scriptable HTTPS server on 127.0.0.1 (port 0) for the cases the emulator does not
// model: each request is answered by a function the test sets (odd bodies, huge bodies,
// a server that echoes what it was sent).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct FakeRequest {
  std::string method;
  std::string target;
  std::string authorization;
  std::string body;
  std::uint16_t client_port = 0;  ///< tells connections apart
};

struct FakeReply {
  int status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

class FakeSalesforce {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&)>;

  /// Serves HTTPS with the given certificate and key.
  FakeSalesforce(const std::string& cert_file, const std::string& key_file, Handler handler);
  ~FakeSalesforce();

  std::string base_url() const;
  std::vector<FakeRequest> requests() const;

  class Impl;

 private:
  std::unique_ptr<Impl> m_impl;
};
