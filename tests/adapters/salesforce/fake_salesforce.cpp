#include "fake_salesforce.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>

#include <sstream>

class FakeSalesforce::Impl {
 public:
  Handler handler;
  mutable std::mutex mutex;
  std::vector<FakeRequest> seen;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;
};

namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(FakeSalesforce::Impl& impl) : m_impl(impl) {}

  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    FakeRequest seen;
    seen.method = request.getMethod();
    seen.target = request.getURI();
    seen.authorization = request.get("Authorization", "");
    seen.client_port = request.clientAddress().port();
    std::ostringstream body;
    Poco::StreamCopier::copyStream(request.stream(), body);
    seen.body = body.str();
    FakeReply reply;
    {
      std::lock_guard lock(m_impl.mutex);
      m_impl.seen.push_back(seen);
    }
    reply = m_impl.handler(seen);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.setContentType("application/json;charset=UTF-8");
    for (const auto& [name, value] : reply.headers) {
      response.set(name, value);
    }
    response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
    response.send() << reply.body;
  }

 private:
  FakeSalesforce::Impl& m_impl;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(FakeSalesforce::Impl& impl) : m_impl(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(m_impl);
  }

 private:
  FakeSalesforce::Impl& m_impl;
};

}  // namespace

FakeSalesforce::FakeSalesforce(const std::string& cert_file, const std::string& key_file,
                               Handler handler)
    : m_impl(std::make_unique<Impl>()) {
  Poco::Net::initializeSSL();
  m_impl->handler = std::move(handler);
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, key_file, cert_file, "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
  m_impl->port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  m_impl->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(*m_impl), socket, params);
  m_impl->server->start();
}

FakeSalesforce::~FakeSalesforce() { m_impl->server->stopAll(true); }

std::string FakeSalesforce::base_url() const {
  return "https://127.0.0.1:" + std::to_string(m_impl->port);
}

std::vector<FakeRequest> FakeSalesforce::requests() const {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->seen;
}
