#pragma once

#include <CLI/App.hpp>

namespace coact::tools {

/// Exit codes of `coact check`: other scripts read them.
enum exit_code : int {
  exit_pass = 0,       ///< the history has the property checked
  exit_violation = 1,  ///< it does not; the violations are printed
  exit_bad_input = 2,  ///< bad arguments, or a history file that cannot be read
  exit_unknown = 3,    ///< the checker ran out of its time or step budget
};

/// Adds `check` and its subcommands (one per checker) to `app`. A subcommand's callback
/// stores its exit code in `*status`.
void add_check_command(CLI::App& app, int* status);

}  // namespace coact::tools
