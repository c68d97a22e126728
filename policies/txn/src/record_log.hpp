#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "coact/actors/durable_log.hpp"

namespace coact::policies::txn::detail {

/// A durable log of Cap'n Proto records of type Record (the participant's and the
/// coordinator's), or nothing at all when volatile.
template <class Record>
class record_log {
 public:
  /// Opens the log on `storage` (null: volatile), calling `replay` with each record read
  /// back; errc::parse_error if a record is not a Record or `replay` refuses one.
  static result<record_log> open(std::unique_ptr<kv::log_storage> storage,
                                 const std::function<bool(typename Record::Reader)>& replay) {
    record_log out;
    if (!storage) return out;
    bool broken = false;
    auto log = kv::durable_log::open(std::move(storage), [&](std::span<const std::byte> bytes) {
      if (broken) return;
      // Copied into words: the log hands out records at any alignment.
      std::vector<capnp::word> words((bytes.size() + sizeof(capnp::word) - 1) /
                                     sizeof(capnp::word));
      std::memcpy(words.data(), bytes.data(), bytes.size());
      try {
        capnp::FlatArrayMessageReader reader{
            kj::ArrayPtr<const capnp::word>{words.data(), words.size()}};
        broken = !replay(reader.getRoot<Record>());
      } catch (const kj::Exception&) {
        broken = true;  // intact bytes (the frame's checksum held) that are not a record
      }
    });
    if (!log) return log.error();
    if (broken) return errc::parse_error;
    out.log_.emplace(std::move(log).value());
    return out;
  }

  /// Appends `record` and makes it durable.
  result<void> append(capnp::MessageBuilder& record) {
    if (!log_) return success();
    const auto words = capnp::messageToFlatArray(record);
    BOOST_OUTCOME_TRY(log_->append(std::as_bytes(std::span{words.begin(), words.size()})));
    return log_->sync();
  }

 private:
  std::optional<kv::durable_log> log_;
};

}  // namespace coact::policies::txn::detail
