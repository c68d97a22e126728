#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "coact/runtime/result.hpp"

namespace coact::net::tcp {

/// The secret every node of one cluster shares; the handshake proves knowledge of it
/// without sending it. It comes from a file or an environment variable, never from the
/// command line: arguments are visible to every user of the machine (ps, /proc/PID/cmdline)
/// and stay in shell histories.
///
/// Move-only, so that the bytes live in one place; the destructor (and a move assignment,
/// for the bytes it replaces) overwrites them with zeros before freeing them.
class cluster_secret {
 public:
  /// The shortest secret from_file and from_env accept, in bytes.
  static constexpr std::size_t size_min = 16;

  /// Reads the whole of `file` as the secret and strips one trailing newline ("\n" or
  /// "\r\n"), so that a file written by an editor or `echo` works. Fails with
  /// errc::invalid_argument if the file is missing or unreadable, or if what remains is
  /// empty or shorter than size_min; `*why` (when given) then names the file and the fix.
  /// Intermediate buffers are zeroed before they are freed.
  [[nodiscard]] static result<cluster_secret> from_file(const std::filesystem::path& file,
                                                        std::string* why = nullptr);

  /// The value of the environment variable `variable`, taken whole (no newline stripped).
  /// Fails with errc::invalid_argument if it is unset, empty or shorter than size_min;
  /// `*why` (when given) then names the variable and the fix. The environment keeps its
  /// own copy: a program that wants it gone unsets the variable after this call.
  [[nodiscard]] static result<cluster_secret> from_env(const char* variable,
                                                       std::string* why = nullptr);

  /// Exactly `bytes`, with no length check: for tests.
  [[nodiscard]] static cluster_secret from_bytes(std::span<const std::byte> bytes);

  /// Takes `other`'s bytes; `other` is left empty.
  cluster_secret(cluster_secret&& other) noexcept = default;
  /// Zeroes this secret's bytes, then takes `other`'s; `other` is left empty.
  cluster_secret& operator=(cluster_secret&& other) noexcept;
  cluster_secret(const cluster_secret&) = delete;
  cluster_secret& operator=(const cluster_secret&) = delete;
  /// Zeroes the bytes.
  ~cluster_secret();

  /// The secret's bytes, valid until this object is destroyed or assigned to.
  [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return bytes_; }
  /// The secret's length in bytes.
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }

 private:
  explicit cluster_secret(std::vector<std::byte> bytes) noexcept : bytes_(std::move(bytes)) {}

  std::vector<std::byte> bytes_;
};

}  // namespace coact::net::tcp
