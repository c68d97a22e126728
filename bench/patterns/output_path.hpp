#pragma once

#include <filesystem>

#include "coact/runtime/result.hpp"

namespace coact::bench {

/// Whether a file can be written at `file` (created, or replaced): its parent directory
/// (the current one when it names none) exists, is a directory and is writable, and `file`
/// is not a directory. Checked before a run starts, so that a typo fails at once rather
/// than after the run. Errors (std::errc): no_such_file_or_directory, not_a_directory,
/// permission_denied, is_a_directory; `*culprit` then names the path at fault.
[[nodiscard]] result<void> check_writable_file(const std::filesystem::path& file,
                                               std::filesystem::path* culprit);

/// Whether files can be created in `directory`: it exists, is a directory and is writable.
/// Errors (std::errc): no_such_file_or_directory, not_a_directory, permission_denied.
[[nodiscard]] result<void> check_writable_directory(const std::filesystem::path& directory);

}  // namespace coact::bench
