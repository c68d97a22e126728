#include "coact/net/tcp/cluster_secret.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace coact::net::tcp {
namespace {

void cleanse(std::vector<std::byte>& bytes) noexcept {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

/// Appends `more` to `bytes`; when `bytes` must grow, the old buffer is zeroed before it is
/// freed, so that no stray copy of the secret is left on the heap.
void append(std::vector<std::byte>& bytes, std::span<const std::byte> more) {
  if (bytes.size() + more.size() > bytes.capacity()) {
    std::vector<std::byte> bigger;
    bigger.reserve(std::max(2 * bytes.capacity(), bytes.size() + more.size()));
    bigger.assign(bytes.begin(), bytes.end());
    cleanse(bytes);
    bytes.swap(bigger);
  }
  bytes.insert(bytes.end(), more.begin(), more.end());
}

/// Closes a file descriptor when it goes out of scope.
class file_descriptor {
 public:
  explicit file_descriptor(int fd) noexcept : fd_(fd) {}
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

/// Reads the whole of `file` without stdio or iostream buffers (which would keep copies).
result<std::vector<std::byte>> read_whole(const std::filesystem::path& file, std::string* why) {
  const auto fail = [&](int error) -> result<std::vector<std::byte>> {
    if (why != nullptr) {
      *why = "cannot read the cluster secret file " + file.string() + ": " + std::strerror(error) +
             "; create it (at least " + std::to_string(cluster_secret::size_min) +
             " bytes) readable by this user, or point the configuration at the right file";
    }
    return errc::invalid_argument;
  };
  const file_descriptor fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.get() < 0) return fail(errno);
  std::vector<std::byte> bytes;
  struct stat status {};
  if (::fstat(fd.get(), &status) == 0 && status.st_size > 0) {
    // One more than the size, so that a regular file is read without regrowing.
    bytes.reserve(static_cast<std::size_t>(status.st_size) + 1);
  }
  std::array<std::byte, 512> chunk{};
  for (;;) {
    const ::ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      OPENSSL_cleanse(chunk.data(), chunk.size());
      cleanse(bytes);
      return fail(error);
    }
    append(bytes, std::span{chunk}.first(static_cast<std::size_t>(n)));
  }
  OPENSSL_cleanse(chunk.data(), chunk.size());
  return bytes;
}

/// Refuses `bytes` (zeroing them) if they are empty or shorter than size_min.
result<std::vector<std::byte>> check_length(std::vector<std::byte> bytes, const std::string& source,
                                            std::string* why) {
  if (bytes.size() >= cluster_secret::size_min) return bytes;
  if (why != nullptr) {
    *why = "the cluster secret from " + source + " is " +
           (bytes.empty() ? std::string{"empty"}
                          : std::to_string(bytes.size()) + " bytes, shorter than the minimum of " +
                                std::to_string(cluster_secret::size_min)) +
           "; put at least " + std::to_string(cluster_secret::size_min) +
           " random bytes there (for example: openssl rand -hex 32)";
  }
  cleanse(bytes);
  return errc::invalid_argument;
}

}  // namespace

result<cluster_secret> cluster_secret::from_file(const std::filesystem::path& file,
                                                 std::string* why) {
  auto bytes = read_whole(file, why);
  if (!bytes) return bytes.error();
  auto& b = bytes.value();
  if (!b.empty() && b.back() == std::byte{'\n'}) {
    b.back() = std::byte{0};
    b.pop_back();
    if (!b.empty() && b.back() == std::byte{'\r'}) {
      b.back() = std::byte{0};
      b.pop_back();
    }
  }
  auto checked = check_length(std::move(b), "file " + file.string(), why);
  if (!checked) return checked.error();
  return cluster_secret{std::move(checked).value()};
}

result<cluster_secret> cluster_secret::from_env(const char* variable, std::string* why) {
  const char* value = std::getenv(variable);
  if (value == nullptr) {
    if (why != nullptr) {
      *why = std::string{"the environment variable "} + variable +
             " (the cluster secret) is not set; set it to at least " + std::to_string(size_min) +
             " random bytes, or use a secret file";
    }
    return errc::invalid_argument;
  }
  const auto* first = reinterpret_cast<const std::byte*>(value);
  auto checked = check_length(std::vector<std::byte>(first, first + std::strlen(value)),
                              std::string{"environment variable "} + variable, why);
  if (!checked) return checked.error();
  return cluster_secret{std::move(checked).value()};
}

cluster_secret cluster_secret::from_bytes(std::span<const std::byte> bytes) {
  return cluster_secret{std::vector<std::byte>(bytes.begin(), bytes.end())};
}

cluster_secret& cluster_secret::operator=(cluster_secret&& other) noexcept {
  if (this != &other) {
    cleanse(bytes_);
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

cluster_secret::~cluster_secret() { cleanse(bytes_); }

}  // namespace coact::net::tcp
