#include "output_path.hpp"

#include <unistd.h>

#include <system_error>

namespace coact::bench {

result<void> check_writable_directory(const std::filesystem::path& directory) {
  std::error_code ec;
  const auto status = std::filesystem::status(directory, ec);
  if (!std::filesystem::exists(status))
    return std::make_error_code(std::errc::no_such_file_or_directory);
  if (!std::filesystem::is_directory(status))
    return std::make_error_code(std::errc::not_a_directory);
  // Writing a file in it needs write and search permission.
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return std::make_error_code(std::errc::permission_denied);
  }
  return success();
}

result<void> check_writable_file(const std::filesystem::path& file,
                                 std::filesystem::path* culprit) {
  const std::filesystem::path parent = file.has_parent_path() ? file.parent_path() : ".";
  if (auto ok = check_writable_directory(parent); !ok) {
    *culprit = parent;
    return ok.error();
  }
  *culprit = file;
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (std::filesystem::is_directory(status)) return std::make_error_code(std::errc::is_a_directory);
  if (std::filesystem::exists(status) && ::access(file.c_str(), W_OK) != 0) {
    return std::make_error_code(std::errc::permission_denied);
  }
  return success();
}

}  // namespace coact::bench
