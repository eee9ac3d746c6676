#include "args.hpp"

#include <doctest/doctest.h>

using ctictl::Args;
using ctictl::OptionSpec;

namespace {
const std::vector<OptionSpec> k_specs = {{"ivr", "DATA", ""}, {"plan", "", ""}};
}

TEST_CASE("Args: values, flags and positionals") {
  auto args = Args::parse({"--ivr", "Case.CaseNumber=1", "--plan", "extra"}, k_specs);
  REQUIRE(args);
  CHECK(args->value("ivr") == "Case.CaseNumber=1");
  CHECK(args->flag("plan"));
  CHECK_FALSE(args->flag("json"));
  CHECK(args->positional() == std::vector<std::string>{"extra"});
}

TEST_CASE("Args: --name=value keeps '=' inside the value") {
  auto args = Args::parse({"--ivr=Case.CaseNumber=1234"}, k_specs);
  REQUIRE(args);
  CHECK(args->value("ivr") == "Case.CaseNumber=1234");
}

TEST_CASE("Args: usage errors") {
  struct Row {
    std::vector<std::string> argv;
    std::string reason;
  };
  const Row rows[] = {
      {{"--nope"}, "unknown option '--nope'"},
      {{"-x"}, "unknown option '-x'"},
      {{"--ivr"}, "needs a value"},
      {{"--plan=yes"}, "takes no value"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.argv.front());
    auto args = Args::parse(row.argv, k_specs);
    REQUIRE_FALSE(args);
    CHECK(args.error().message.find(row.reason) != std::string::npos);
  }
}

TEST_CASE("split_list trims and drops empty items") {
  CHECK(ctictl::split_list(" Contact, Account,,Lead ") ==
        std::vector<std::string>{"Contact", "Account", "Lead"});
  CHECK(ctictl::split_list("").empty());
}
