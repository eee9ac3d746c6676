// The ctictl commands that look at a proxy: `config check` on configuration files, and
// `tls-check` and `events` against a real sfproxy stack started from such a file on
// 127.0.0.1:0 with a test CA (the PBX is driven by hand).

#include "run_command.hpp"

#include "proxy_stack.hpp"
#include "sfproxy_config.hpp"
#include "store/sqlite_agent_directory.hpp"

#include "support/hand_pbx.hpp"
#include "support/test_tls.hpp"

#include <doctest/doctest.h>

#include <future>
#include <sstream>

using cti::testing::HandPbx;
using cti::testing::TempDir;

namespace {

using ctictl_test::contains;
using ctictl_test::Run;
using ctictl_test::run_command;

/// A configuration file for a proxy on 127.0.0.1:0 with the given certificate.
std::string write_config(const TempDir& dir, const cti::testing::CertificateFiles& certificate,
                         const std::string& extra = {}) {
  return dir.write_file("sfproxy.yaml", "server:\n"
                                        "  listen: \"127.0.0.1:0\"\n"
                                        "  public_host: localhost\n"
                                        "  tls:\n"
                                        "    certificate: " + certificate.certificate_file + "\n"
                                        "    private_key: " + certificate.private_key_file + "\n"
                                        "database: agents.db\n"
                                        "licence:\n"
                                        "  seats: 2\n"
                                        "pbx:\n"
                                        "  adapter: pbx-sim\n"
                                        "log:\n"
                                        "  level: error\n" + extra);
}

/// sfproxy started from write_config(), agent 137 (with a seat) known by "correct horse".
struct RunningProxy {
  RunningProxy() {
    auto config = sfproxy::load_config(write_config(dir, pki.server()));
    REQUIRE_MESSAGE(config, (config ? "" : config.error().message));
    auto directory = std::make_unique<sfproxy::SqliteAgentDirectory>(
        config->database_path, config->licence_name, config->licence_seats,
        sfproxy::PasswordHasher::with_cost_for_test({1, 8192}));
    directory->add_agent("137", "Rose Gonzalez", "correct horse").value();
    directory->assign_seat("137").value();
    auto hand = std::make_unique<HandPbx>();
    pbx = hand.get();
    auto started = sfproxy::ProxyStack::start(std::move(*config),
                                              sfproxy::StackParts{std::move(hand), std::move(directory), {}});
    REQUIRE_MESSAGE(started, (started ? "" : started.error().message));
    stack = std::move(*started);
    password_file = dir.write_file("password", "correct horse\n");
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(stack->port()); }
  std::string url() const { return "https://localhost:" + std::to_string(stack->port()); }

  TempDir dir;
  cti::testing::TestPki pki;
  HandPbx* pbx = nullptr;
  std::unique_ptr<sfproxy::ProxyStack> stack;
  std::string password_file;
};

}  // namespace

TEST_CASE("config check: a valid file is summarised and certificate trouble is a warning") {
  TempDir dir;
  cti::testing::TestPki pki;
  const auto good = run_command(ctictl::run_config, {"check", write_config(dir, pki.server())});
  CHECK(good.code == ctictl::exit_ok);
  CHECK(contains(good.out, "sfproxy.yaml: ok"));
  CHECK(contains(good.out, "127.0.0.1:0 (HTTPS)"));
  CHECK(contains(good.out, "2 seats"));
  CHECK_FALSE(contains(good.out, "warning:"));

  const auto self_signed = pki.make_self_signed("wrong.example");
  const std::string path = write_config(dir, self_signed);
  const auto warned = run_command(ctictl::run_config, {"check", path});
  CHECK(warned.code == ctictl::exit_ok);
  CAPTURE(warned.out);
  CHECK(contains(warned.out, "warning: the certificate is self-signed"));
  CHECK(contains(warned.out, "warning: the certificate does not name 'localhost'"));
  CHECK(run_command(ctictl::run_config, {"check", path, "--strict"}).code == ctictl::exit_failure);

  const auto expired = run_command(ctictl::run_config, {"check", write_config(dir, pki.make_expired_server())});
  CHECK(contains(expired.out, "warning: the certificate expired"));
}

TEST_CASE("config check: every problem with line and column; usage errors") {
  TempDir dir;
  cti::testing::TestPki pki;
  const auto bad = run_command(ctictl::run_config,
                          {"check", write_config(dir, pki.server(), "matching:\n  mode: psychic\n  colour: blue\n")});
  CHECK(bad.code == ctictl::exit_usage);
  CHECK(contains(bad.err, "sfproxy.yaml:15:9: matching.mode:"));
  CHECK(contains(bad.err, "sfproxy.yaml:16:3: matching.colour: unknown key"));
  CHECK(contains(bad.err, "is not a valid sfproxy configuration"));

  CHECK(run_command(ctictl::run_config, {"check", dir.file("missing.yaml")}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_config, {"check"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_config, {"verify", "x.yaml"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_config, {"check", "a.yaml", "b.yaml"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_config, {"--help"}).code == ctictl::exit_ok);
}

TEST_CASE("tls-check: a proxy with a trusted certificate passes; an untrusted or misnamed one fails") {
  RunningProxy proxy;
  const auto ok = run_command(ctictl::run_tls_check,
                         {proxy.address(), "--servername", "localhost", "--ca", proxy.pki.ca_file()});
  CAPTURE(ok.out);
  CAPTURE(ok.err);
  CHECK(ok.code == ctictl::exit_ok);
  CHECK((contains(ok.out, "protocol     TLSv1.3") || contains(ok.out, "protocol     TLSv1.2")));
  CHECK(contains(ok.out, "chain        1 certificate sent; verified"));
  CHECK(contains(ok.out, "host name    matches localhost"));
  CHECK((contains(ok.out, "(in 29 days)") || contains(ok.out, "(in 30 days)")));
  CHECK(contains(ok.out, "result: ok"));

  // The system's CAs do not know the test CA.
  const auto untrusted = run_command(ctictl::run_tls_check, {proxy.address(), "--servername", "localhost"});
  CHECK(untrusted.code == ctictl::exit_failure);
  CHECK(contains(untrusted.out, "NOT verified"));

  const auto misnamed = run_command(ctictl::run_tls_check, {proxy.address(), "--servername", "cti.example.com",
                                                       "--ca", proxy.pki.ca_file(), "--json"});
  CHECK(misnamed.code == ctictl::exit_failure);
  CHECK(contains(misnamed.out, R"("host_matches":false)"));
  CHECK(contains(misnamed.out, R"("chain_verified":true)"));
  CHECK(contains(misnamed.out, R"("ok":false)"));
}

TEST_CASE("tls-check: bad targets") {
  CHECK(run_command(ctictl::run_tls_check, {"no-port"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_tls_check, {"host:99999"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_tls_check, {"[::1:8443"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_tls_check, {"127.0.0.1:8443", "--timeout", "0"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_tls_check, {}).code == ctictl::exit_usage);
  // Nothing listens on port 1 here.
  const auto refused = run_command(ctictl::run_tls_check, {"127.0.0.1:1", "--timeout", "2"});
  CHECK(refused.code == ctictl::exit_failure);
  CHECK(contains(refused.err, "cannot connect to 127.0.0.1:1"));
}

TEST_CASE("events: signs in, prints the snapshot, the call and its screen pop, then signs out") {
  RunningProxy proxy;
  auto tail = std::async(std::launch::async, [&] {
    return run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-file",
                                       proxy.password_file, "--ca", proxy.pki.ca_file(), "--count", "3",
                                       "--idle-timeout", "20"});
  });
  // The stream is open once the agent is connected; then the call comes.
  for (int i = 0; i < 2000 && proxy.stack->service().metrics().streams_open == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(proxy.stack->service().metrics().streams_open == 1);
  proxy.pbx->emit(cti::testing::ringing("call-1", "+1 (212) 842-5500", "Case.CaseNumber=1234"));
  const Run run = tail.get();
  CAPTURE(run.err);
  CHECK(run.code == ctictl::exit_ok);
  std::istringstream lines(run.out);
  std::string snapshot, call, pop, extra;
  std::getline(lines, snapshot);
  std::getline(lines, call);
  std::getline(lines, pop);
  CHECK(contains(snapshot, "\tagent\t{\"type\":\"snapshot\""));
  CHECK(call.rfind("1\tcall\t{", 0) == 0);
  CHECK(contains(call, R"("call_id":"call-1")"));
  CHECK(pop.rfind("2\tscreenpop\t{", 0) == 0);
  CHECK(contains(pop, "CaseNumber = '00001234'"));
  CHECK_FALSE(std::getline(lines, extra));
  // Signed out at the end: no session is left.
  for (int i = 0; i < 2000 && proxy.stack->service().metrics().streams_open != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(proxy.stack->service().metrics().streams_open == 0);

  // Resuming after event 1 replays the pop only; --json prints one object per line.
  const auto resumed = run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-file",
                                                   proxy.password_file, "--ca", proxy.pki.ca_file(),
                                                   "--last-event-id", "1", "--count", "1", "--json"});
  CHECK(resumed.code == ctictl::exit_ok);
  CHECK(resumed.out.rfind(R"({"id":"2","event":"screenpop","data":{"call_id":"call-1")", 0) == 0);
}

TEST_CASE("events: refusals and usage errors are clear") {
  RunningProxy proxy;
  const std::string wrong = proxy.dir.write_file("wrong", "not the password\n");
  const auto refused = run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-file",
                                                   wrong, "--ca", proxy.pki.ca_file()});
  CHECK(refused.code == ctictl::exit_failure);
  CHECK(contains(refused.err, "sign-in refused: wrong extension or password"));

  const auto untrusted = run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-file",
                                                     proxy.password_file});
  CHECK(untrusted.code == ctictl::exit_failure);
  CHECK(contains(untrusted.err, "cannot sign in"));

  CHECK(run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_events, {"--agent", "137", "--password-env", "HOME"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_events, {"--url", "ftp://x", "--agent", "137", "--password-env", "HOME"}).code ==
        ctictl::exit_usage);
  CHECK(run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-env",
                                    "CTICTL_TEST_NO_SUCH_VARIABLE"}).code == ctictl::exit_usage);
  CHECK(run_command(ctictl::run_events, {"--url", proxy.url(), "--agent", "137", "--password-file",
                                    proxy.password_file, "--count", "0"}).code == ctictl::exit_usage);
}
