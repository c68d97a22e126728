#include "coact/actors/replica.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "coact/actors/durable_log.hpp"
#include "coact/actors/replica.capnp.h"
#include "coact/actors/versioned_map.hpp"
#include "coact/runtime/dispatch.hpp"

namespace coact::kv {
namespace {

/// One applied write as the log holds it:
/// [key length u32][key][value length u32][value][counter u64][writer u32], little endian.
/// The log's frame already checks the bytes, so this format needs no checksum of its own.
struct log_record {
  std::string key;
  std::string value;
  kv::version version;
};

void put_number(std::vector<std::byte>& out, std::uint64_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

void put_text(std::vector<std::byte>& out, std::string_view text) {
  put_number(out, text.size(), 4);
  const auto* data = reinterpret_cast<const std::byte*>(text.data());
  out.insert(out.end(), data, data + text.size());
}

void encode(std::vector<std::byte>& out, std::string_view key, std::string_view value,
            kv::version v) {
  out.clear();
  put_text(out, key);
  put_text(out, value);
  put_number(out, v.counter, 8);
  put_number(out, v.writer, 4);
}

/// Reads a record back; fails on every truncation or trailing byte.
class record_reader {
 public:
  explicit record_reader(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  std::optional<log_record> read() {
    const auto key = text();
    const auto value = text();
    const auto counter = number(8);
    const auto writer = number(4);
    if (!key || !value || !counter || !writer || !bytes_.empty()) return std::nullopt;
    return log_record{std::move(*key), std::move(*value),
                      kv::version{*counter, static_cast<std::uint32_t>(*writer)}};
  }

 private:
  std::optional<std::uint64_t> number(std::size_t bytes) {
    if (bytes_.size() < bytes) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      v |= std::to_integer<std::uint64_t>(bytes_[i]) << (8 * i);
    bytes_ = bytes_.subspan(bytes);
    return v;
  }
  std::optional<std::string> text() {
    const auto length = number(4);
    if (!length || bytes_.size() < *length) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(bytes_.data()), *length);
    bytes_ = bytes_.subspan(*length);
    return s;
  }

  std::span<const std::byte> bytes_;
};

kv::version version_of(proto::Version::Reader v) noexcept {
  return {.counter = v.getCounter(), .writer = v.getWriter()};
}

void set_version(proto::Version::Builder b, kv::version v) noexcept {
  b.setCounter(v.counter);
  b.setWriter(v.writer);
}

void answer_read(actor_context& self, envelope& request, const versioned_map& map) {
  const auto key = request.get<proto::ReplicaRead>().getKey();
  message<proto::ReplicaValue> answer;
  if (const stored_value* found = map.find(std::string_view{key.cStr(), key.size()})) {
    answer->setPresent(true);
    answer->setValue(found->value);
    set_version(answer->initVersion(), found->version);
  }
  // A failed reply (the asker gone) is the asker's loss only.
  self.reply(request, std::move(answer));
}

}  // namespace

task<result<void>> replica(actor_context& self, std::unique_ptr<log_storage> storage) {
  versioned_map map;
  std::optional<durable_log> log;
  if (storage) {
    bool malformed = false;
    auto opened = durable_log::open(std::move(storage), [&](std::span<const std::byte> bytes) {
      auto r = record_reader{bytes}.read();
      if (!r) {
        malformed = true;
        return;
      }
      map.apply(r->key, std::move(r->value), r->version);
    });
    if (!opened) co_return opened.error();
    // An intact frame holding a record this code cannot read: not a torn write but a
    // file of another format; serving without it would silently lose its writes.
    if (malformed) co_return errc::parse_error;
    log.emplace(std::move(opened).value());
  }

  std::vector<std::byte> record;
  for (;;) {
    envelope e = co_await self.receive();
    result<void> kept = success();
    dispatch(e, on<proto::ReplicaRead>([&](envelope& read) { answer_read(self, read, map); }),
             on<proto::ReplicaWrite>([&](envelope& write, proto::ReplicaWrite::Reader w) {
               const std::string_view key{w.getKey().cStr(), w.getKey().size()};
               const std::string_view value{w.getValue().cStr(), w.getValue().size()};
               const kv::version v = version_of(w.getVersion());
               const bool applied = map.apply(key, std::string{value}, v);
               if (applied && log) {
                 encode(record, key, value, v);
                 // Durable before acknowledged: a crash after the reply loses nothing it
                 // promised.
                 kept = log->append(record);
                 if (kept) kept = log->sync();
                 if (!kept) return;
               }
               self.reply(write, make_message<proto::ReplicaWriteAck>([&](auto ack) {
                            ack.setApplied(applied);
                            set_version(ack.initCurrent(), map.find(key)->version);
                          }));
             }));
    if (!kept) co_return kept.error();
  }
}

}  // namespace coact::kv
