// The `sfemu` executable: first line of stdout, SIGTERM, exit codes.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

struct Child {
  pid_t pid = -1;
  int stdout_fd = -1;
};

Child spawn(const std::vector<std::string>& args) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.emplace_back(SFEMU_BINARY);
  for (const std::string& arg : args) storage.push_back(arg);
  std::vector<char*> argv;
  for (std::string& arg : storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  Child child;
  int rc = posix_spawn(&child.pid, SFEMU_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  REQUIRE(rc == 0);
  child.stdout_fd = pipe_fds[0];
  return child;
}

// The first line the child writes, waiting at most 20 s so that a broken build cannot hang.
std::string first_line(const Child& child) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{child.stdout_fd, POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    char c = 0;
    if (::read(child.stdout_fd, &c, 1) != 1) break;
    if (c == '\n') break;
    line += c;
  }
  return line;
}

// Exit status, or -1 if the child has not exited within 20 s (it is then killed).
int wait_for(const Child& child) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t done = ::waitpid(child.pid, &status, WNOHANG);
    if (done == child.pid) {
      ::close(child.stdout_fd);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child.pid, SIGKILL);
  ::waitpid(child.pid, &status, 0);
  ::close(child.stdout_fd);
  return -1;
}

}  // namespace

TEST_CASE("sfemu: sfemu prints its URL as the first line and stops on SIGTERM and SIGINT") {
  for (int signal_number : {SIGTERM, SIGINT}) {
    CAPTURE(signal_number);
    Child child = spawn({"--data", SFEMU_CRM_JSON, "--port", "0", "--daily-limit", "7"});
    std::string line = first_line(child);
    const std::string prefix = "sfemu listening on http://127.0.0.1:";
    REQUIRE(line.rfind(prefix, 0) == 0);
    std::string base = line.substr(std::string("sfemu listening on ").size());
    auto versions = cti::sfemu::test::http(base, "GET", "/services/data/");
    CHECK(versions.status == 200);
    ::kill(child.pid, signal_number);
    CHECK(wait_for(child) == 0);
  }
}

TEST_CASE("sfemu: sfemu exits with status 2 on usage and configuration errors") {
  const std::vector<std::vector<std::string>> bad = {
      {"--port", "not-a-number"}, {"--bogus"}, {"--data", "/nonexistent/crm.json"}, {"--tls-cert", "/nonexistent.pem"},
      {"stray-argument"},
  };
  for (const auto& args : bad) {
    CAPTURE(args.front());
    Child child = spawn(args);
    CHECK(wait_for(child) == 2);
  }
  Child help = spawn({"--help"});
  CHECK(first_line(help).find("usage") != std::string::npos);
  CHECK(wait_for(help) == 0);
}
