#pragma once

#include <filesystem>
#include <fstream>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::bench {

/// A run's history written as it is recorded, one event a line (check::to_json_line, the
/// Jepsen JSON lines that check::load_history and `coact check` read), so that a run keeps
/// none of it in memory.
class history_file {
 public:
  /// Creates or truncates `path`. errc::invalid_argument when it cannot be opened.
  [[nodiscard]] static result<history_file> create(const std::filesystem::path& path);

  /// Appends `e` as one line.
  void write(const check::event& e);
  /// Flushes and closes the file. errc::invalid_argument when a write failed (a full disk).
  [[nodiscard]] result<void> close();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  history_file(std::filesystem::path path, std::ofstream out)
      : path_(std::move(path)), out_(std::move(out)) {}

  std::filesystem::path path_;
  std::ofstream out_;
};

}  // namespace coact::bench
