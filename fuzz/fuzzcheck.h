#pragma once

#include <cstdio>
#include <cstdlib>

/// Aborts with a message when an invariant does not hold, so libFuzzer records the input.
/// Unlike Q_ASSERT it is active in every build type.
#define FUZZ_CHECK(condition)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);                   \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (false)
