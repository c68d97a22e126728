// coact: the command line of the coact runtime.
#include <CLI/CLI.hpp>

#include "check_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"coact: actors, consistency policies, and checkers of recorded histories"};
  app.require_subcommand(1);
  int status = coact::tools::exit_pass;
  coact::tools::add_check_command(app, &status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError that exits 0; every real parse error exits with bad input.
    const int code = app.exit(e);
    return code == 0 ? 0 : coact::tools::exit_bad_input;
  }
  return status;
}
