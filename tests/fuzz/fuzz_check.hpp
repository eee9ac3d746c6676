#pragma once
// FUZZ_CHECK: an invariant of a fuzz target. Unlike assert it stays on in release builds;
// a failure aborts, which libFuzzer (and the replay main) report as a crash with the input.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
