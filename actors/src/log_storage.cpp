#include "coact/actors/log_storage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "coact/runtime/sim/disk.hpp"

namespace coact::kv {
namespace {

/// The calling thread's last OS error.
std::error_code last_error() noexcept { return {errno, std::system_category()}; }

result<void> sync_directory_of(const std::string& path) {
  auto directory = std::filesystem::path{path}.parent_path();
  if (directory.empty()) directory = ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  const int rc = ::fsync(fd);
  const std::error_code error = rc != 0 ? last_error() : std::error_code{};
  ::close(fd);
  if (error) return error;
  return success();
}

class sim_storage final : public log_storage {
 public:
  sim_storage(sim::disk& disk, std::string name) noexcept : disk_(&disk), name_(std::move(name)) {}

  result<std::vector<std::byte>> read_all() override {
    const auto bytes = disk_->read(name_);
    return std::vector<std::byte>(bytes.begin(), bytes.end());
  }
  result<void> append(std::span<const std::byte> bytes) override {
    disk_->append(name_, bytes);
    return success();
  }
  result<void> sync() override {
    disk_->sync(name_);
    return success();
  }
  result<void> truncate(std::size_t size) override {
    const auto bytes = disk_->read(name_);
    if (size > bytes.size()) return errc::invalid_argument;
    // replace() is durable as a whole, like a rename of a synced copy.
    const std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + static_cast<long>(size));
    disk_->replace(name_, prefix);
    return success();
  }

 private:
  sim::disk* disk_;
  std::string name_;
};

class posix_storage final : public log_storage {
 public:
  explicit posix_storage(int fd) noexcept : fd_(fd) {}
  posix_storage(const posix_storage&) = delete;
  posix_storage& operator=(const posix_storage&) = delete;
  ~posix_storage() override { ::close(fd_); }

  result<std::vector<std::byte>> read_all() override {
    std::vector<std::byte> bytes;
    std::byte chunk[64 * 1024];
    for (;;) {
      const ::ssize_t n = ::pread(fd_, chunk, sizeof chunk, static_cast<::off_t>(bytes.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      if (n == 0) return bytes;
      bytes.insert(bytes.end(), chunk, chunk + n);
    }
  }
  result<void> append(std::span<const std::byte> bytes) override {
    // write() may write less than asked (a signal, a nearly full disk): loop.
    while (!bytes.empty()) {
      const ::ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return last_error();
      }
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return success();
  }
  result<void> sync() override {
    if (::fsync(fd_) != 0) return last_error();
    return success();
  }
  result<void> truncate(std::size_t size) override {
    if (::ftruncate(fd_, static_cast<::off_t>(size)) != 0) return last_error();
    return sync();
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<log_storage> sim_file(sim::disk& disk, std::string name) {
  return std::make_unique<sim_storage>(disk, std::move(name));
}

result<std::unique_ptr<log_storage>> posix_file(const std::string& path) {
  // O_APPEND: every write lands at the end, also after a truncate.
  constexpr int flags = O_RDWR | O_APPEND | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), flags | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return last_error();
    auto storage = std::make_unique<posix_storage>(fd);
    // A new file's name is durable only once its directory is synced.
    if (auto synced = sync_directory_of(path); !synced) return synced.error();
    return std::unique_ptr<log_storage>{std::move(storage)};
  }
  if (fd < 0) return last_error();
  return std::unique_ptr<log_storage>{std::make_unique<posix_storage>(fd)};
}

}  // namespace coact::kv
