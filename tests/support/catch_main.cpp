// Catch2's runner, compiled once for every test suite: a CATCH_CONFIG_MAIN file takes longer
// to compile than any test file, so each suite having its own cost minutes per build.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
