#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace coact::tools {

/// What is wrong with a configuration, and how to put it right.
struct config_error {
  /// The configuration file (or, for a secret, the file that names it).
  std::string file;
  /// Where in the file, from 1; 0 when the problem has no one place (a missing key).
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  /// The key at fault as a path, e.g. "node[2].address"; empty for a syntax error.
  std::string key;
  /// What is wrong, e.g. "port 70000 is out of range".
  std::string problem;
  /// What to do about it, e.g. "use a port from 1 to 65535"; empty when `problem` already
  /// ends with it (the secret's explanations, which come whole from net::tcp::cluster_secret).
  std::string fix;

  /// "FILE:LINE:COLUMN: KEY: PROBLEM (FIX)", leaving out the parts that are empty or 0.
  [[nodiscard]] std::string message() const;
};

/// `value` in single quotes, as a message shows a name or a value from the file.
[[nodiscard]] std::string in_quotes(std::string_view value);

}  // namespace coact::tools
