#include "member_store.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <span>

#include "coact/policies/read_concern/read_concern.capnp.h"
#include "entry_codec.hpp"

namespace coact::policies::read_concern {
namespace {

/// Applies one record to `memory`; false if it is not a record that fits what came before.
bool replay_record(std::span<const std::byte> bytes, member_memory& memory) {
  // The log hands records out at any alignment; Cap'n Proto reads aligned words.
  std::vector<capnp::word> words((bytes.size() + sizeof(capnp::word) - 1) / sizeof(capnp::word));
  std::memcpy(words.data(), bytes.data(), bytes.size());
  capnp::FlatArrayMessageReader reader{kj::ArrayPtr<const capnp::word>{words.data(), words.size()}};
  const auto record = reader.getRoot<proto::Record>();
  switch (record.which()) {
    case proto::Record::VOTE: {
      const auto vote = record.getVote();
      memory.term = vote.getTerm();
      memory.voted_for = vote.getHasVote() ? std::optional{vote.getVotedFor()} : std::nullopt;
      return true;
    }
    case proto::Record::APPEND: {
      const auto append = record.getAppend();
      if (append.getIndex() != memory.entries.size() + 1) return false;
      memory.entries.push_back(read_entry(append.getEntry()));
      return true;
    }
    case proto::Record::TRUNCATE_AFTER: {
      const std::uint64_t keep = record.getTruncateAfter();
      if (keep > memory.entries.size()) return false;
      memory.entries.resize(keep);
      return true;
    }
  }
  return false;
}

}  // namespace

result<member_store> member_store::open(std::unique_ptr<kv::log_storage> storage,
                                        member_memory& memory) {
  if (!storage) return member_store{};
  bool intact = true;
  auto log = kv::durable_log::open(std::move(storage), [&](std::span<const std::byte> bytes) {
    if (!intact) return;
    try {
      intact = replay_record(bytes, memory);
    } catch (const kj::Exception&) {
      intact = false;  // the frame's checksum held, but the bytes are not a record
    }
  });
  if (!log) return log.error();
  if (!intact) return errc::parse_error;
  return member_store{std::move(log).value()};
}

namespace {

result<void> append_record(kv::durable_log& log, capnp::MessageBuilder& record) {
  const auto words = capnp::messageToFlatArray(record);
  return log.append(std::as_bytes(std::span{words.begin(), words.size()}));
}

}  // namespace

result<void> member_store::save_vote(std::uint64_t term, std::optional<std::uint32_t> voted_for) {
  if (!log_) return success();
  capnp::MallocMessageBuilder record;
  auto vote = record.initRoot<proto::Record>().initVote();
  vote.setTerm(term);
  vote.setHasVote(voted_for.has_value());
  vote.setVotedFor(voted_for.value_or(0));
  dirty_ = true;
  return append_record(*log_, record);
}

result<void> member_store::save_append(std::uint64_t index, const entry& e) {
  if (!log_) return success();
  capnp::MallocMessageBuilder record;
  auto append = record.initRoot<proto::Record>().initAppend();
  append.setIndex(index);
  write_entry(append.initEntry(), e);
  dirty_ = true;
  return append_record(*log_, record);
}

result<void> member_store::save_truncate_after(std::uint64_t index) {
  if (!log_) return success();
  capnp::MallocMessageBuilder record;
  record.initRoot<proto::Record>().setTruncateAfter(index);
  dirty_ = true;
  return append_record(*log_, record);
}

result<void> member_store::sync() {
  if (!log_ || !dirty_) return success();
  BOOST_OUTCOME_TRY(log_->sync());
  dirty_ = false;
  return success();
}

}  // namespace coact::policies::read_concern
