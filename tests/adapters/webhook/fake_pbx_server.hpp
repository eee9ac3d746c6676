#pragma once
// FakePbxServer: a small HTTP server on 127.0.0.1 (port 0) for tests of the webhook
// protocol's sending side. It plays the PBX for MakeCall, or the proxy for `ctictl simulate`:
// it records each request, checks its signature, and answers with a set status and body or
// through a handler. Header-only so other test folders can use it without another source.

#include "cti/adapters/webhook/webhook_client.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cti::test {

struct ReceivedRequest {
  std::string method;
  std::string path;  ///< path and query
  std::string content_type;
  std::string timestamp;
  std::string signature;
  std::string body;
  bool signature_valid = false;  ///< the signature matches the body under the server's secret
};

class FakePbxServer {
 public:
  /// Answers a request: {status, body}.
  using Handler = std::function<std::pair<int, std::string>(const ReceivedRequest&)>;

  explicit FakePbxServer(std::string secret)
      : m_state(std::make_shared<State>()),
        m_socket(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    m_state->secret = std::move(secret);
    auto params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(false);
    params->setMaxThreads(4);
    m_server = std::make_unique<Poco::Net::HTTPServer>(new Factory(m_state), m_socket, params);
    m_server->start();
  }

  ~FakePbxServer() {
    release_replies();
    m_server->stopAll(true);
  }

  FakePbxServer(const FakePbxServer&) = delete;
  FakePbxServer& operator=(const FakePbxServer&) = delete;

  std::uint16_t port() const { return m_socket.address().port(); }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }

  /// Every later request gets this status and body.
  void respond(int status, std::string body) {
    std::lock_guard lock(m_state->mutex);
    m_state->handler = [status, body = std::move(body)](const ReceivedRequest&) {
      return std::pair{status, body};
    };
  }
  void handle_with(Handler handler) {
    std::lock_guard lock(m_state->mutex);
    m_state->handler = std::move(handler);
  }

  /// Requests wait (at most 30 s) until release_replies(): lets a client's timeout expire.
  void hold_replies() {
    std::lock_guard lock(m_state->mutex);
    m_state->holding = true;
  }
  void release_replies() {
    {
      std::lock_guard lock(m_state->mutex);
      m_state->holding = false;
    }
    m_state->released.notify_all();
  }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->requests;
  }
  ReceivedRequest last_request() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->requests.empty() ? ReceivedRequest{} : m_state->requests.back();
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable released;
    std::string secret;
    Handler handler = [](const ReceivedRequest&) { return std::pair{200, std::string("{}")}; };
    bool holding = false;
    std::vector<ReceivedRequest> requests;
  };

  class RequestHandler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit RequestHandler(std::shared_ptr<State> state) : m_state(std::move(state)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      ReceivedRequest received;
      received.method = request.getMethod();
      received.path = request.getURI();
      received.content_type = request.getContentType();
      received.timestamp = request.get(std::string(adapters::webhook::k_timestamp_header), "");
      received.signature = request.get(std::string(adapters::webhook::k_signature_header), "");
      Poco::StreamCopier::copyToString(request.stream(), received.body);
      received.signature_valid =
          received.signature ==
          adapters::webhook::sign(m_state->secret, received.timestamp, received.body);
      Handler handler;
      {
        std::unique_lock lock(m_state->mutex);
        m_state->requests.push_back(received);
        m_state->released.wait_for(lock, std::chrono::seconds(30), [&] { return !m_state->holding; });
        handler = m_state->handler;
      }
      const auto [status, body] = handler(received);
      response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
      response.setContentType("application/json");
      response.setContentLength(static_cast<std::streamsize>(body.size()));
      response.send() << body;
    }

   private:
    std::shared_ptr<State> m_state;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(std::shared_ptr<State> state) : m_state(std::move(state)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new RequestHandler(m_state);
    }

   private:
    std::shared_ptr<State> m_state;
  };

  std::shared_ptr<State> m_state;
  Poco::Net::ServerSocket m_socket;
  std::unique_ptr<Poco::Net::HTTPServer> m_server;
};

}  // namespace cti::test
