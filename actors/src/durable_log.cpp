#include "coact/actors/durable_log.hpp"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "crc32c.hpp"

namespace coact::kv {
namespace {

/// A frame: [length u32 LE][crc32c of the payload u32 LE][payload].
constexpr std::size_t header_bytes = 8;

std::uint32_t load_u32(std::span<const std::byte> bytes, std::size_t at) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(bytes[at + i]) << (8 * i);
  return v;
}

void store_u32(std::vector<std::byte>& out, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

/// The payload of the intact frame that starts at `at`, if one does.
std::optional<std::span<const std::byte>> intact_frame_at(std::span<const std::byte> bytes,
                                                          std::size_t at) noexcept {
  if (bytes.size() - at < header_bytes) return std::nullopt;
  const std::uint32_t length = load_u32(bytes, at);
  if (length == 0 || length > bytes.size() - at - header_bytes) return std::nullopt;
  const auto payload = bytes.subspan(at + header_bytes, length);
  if (detail::crc32c(payload) != load_u32(bytes, at + 4)) return std::nullopt;
  return payload;
}

/// True if an intact frame starts anywhere at or after `from`. A bad frame's length
/// cannot be trusted, so every offset is tried: only then is "nothing intact follows"
/// (a torn tail) told apart from damage in the middle of the file.
bool intact_frame_from(std::span<const std::byte> bytes, std::size_t from) noexcept {
  for (std::size_t at = from; at + header_bytes < bytes.size(); ++at) {
    if (intact_frame_at(bytes, at)) return true;
  }
  return false;
}

}  // namespace

result<durable_log> durable_log::open(
    std::unique_ptr<log_storage> storage,
    const std::function<void(std::span<const std::byte>)>& replay) {
  auto read = storage->read_all();
  if (!read) return read.error();
  const std::span<const std::byte> bytes = read.value();

  std::vector<std::span<const std::byte>> records;
  std::size_t end = 0;  // the end of the intact prefix
  while (end < bytes.size()) {
    const auto payload = intact_frame_at(bytes, end);
    if (!payload) break;
    records.push_back(*payload);
    end += header_bytes + payload->size();
  }
  if (end < bytes.size()) {
    if (intact_frame_from(bytes, end + 1)) return errc::parse_error;
    // Cut the torn tail off before anything is appended after it, or the next open
    // would find it in the middle.
    if (auto cut = storage->truncate(end); !cut) return cut.error();
  }
  for (const auto record : records) replay(record);
  return durable_log{std::move(storage), records.size(), end};
}

result<void> durable_log::append(std::span<const std::byte> record) {
  if (failed_) return failed_;
  if (record.empty() || record.size() > std::numeric_limits<std::uint32_t>::max()) {
    return errc::invalid_argument;
  }
  frame_.clear();
  store_u32(frame_, static_cast<std::uint32_t>(record.size()));
  store_u32(frame_, detail::crc32c(record));
  frame_.insert(frame_.end(), record.begin(), record.end());
  if (auto appended = storage_->append(frame_); !appended) {
    // Part of the frame may have been written: cut it off so the records appended
    // later do not follow garbage.
    if (auto cut = storage_->truncate(bytes_); !cut) failed_ = appended.error();
    return appended.error();
  }
  bytes_ += frame_.size();
  ++records_;
  return success();
}

result<void> durable_log::sync() {
  if (failed_) return failed_;
  auto synced = storage_->sync();
  if (!synced) failed_ = synced.error();
  return synced;
}

}  // namespace coact::kv
