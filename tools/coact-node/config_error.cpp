#include "config_error.hpp"

namespace coact::tools {

std::string config_error::message() const {
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  if (!key.empty()) out += ": " + key;
  out += ": " + problem;
  if (!fix.empty()) out += " (" + fix + ")";
  return out;
}

std::string in_quotes(std::string_view value) { return "'" + std::string{value} + "'"; }

}  // namespace coact::tools
