#include "partition_log.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cassert>
#include <cstring>
#include <utility>

namespace coact::policies::dynamo {
namespace {

/// One record as bytes: the message as a Cap'n Proto flat array (its segment table, then
/// its words), valid while `words` lives.
std::span<const std::byte> bytes_of(const kj::Array<capnp::word>& words) {
  const auto view = words.asBytes();
  return {reinterpret_cast<const std::byte*>(view.begin()), view.size()};
}

}  // namespace

result<partition_log> partition_log::open(std::unique_ptr<kv::log_storage> storage) {
  if (!storage) return partition_log{std::nullopt};
  partition_log log{std::nullopt};
  std::error_code replay_error;
  auto opened = kv::durable_log::open(std::move(storage), [&](std::span<const std::byte> record) {
    if (replay_error) return;
    if (auto replayed = log.replay(record); !replayed) replay_error = replayed.error();
  });
  if (!opened) return opened.error();
  // An intact frame that is not one of these records: a file of another format, and
  // serving without its entries would lose what they acknowledged.
  if (replay_error) return replay_error;
  log.disk_.emplace(std::move(opened).value());
  return log;
}

result<void> partition_log::replay(std::span<const std::byte> record) {
  if (record.size() % sizeof(capnp::word) != 0) return errc::parse_error;
  // Frames need not start on a word boundary: read from an aligned copy.
  auto words = kj::heapArray<capnp::word>(record.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), record.data(), record.size());
  try {
    capnp::FlatArrayMessageReader reader{words};
    const auto r = reader.getRoot<proto::LogRecord>();
    switch (r.which()) {
      case proto::LogRecord::VOTE: {
        term_ = r.getVote().getTerm();
        const auto voted = r.getVote().getVotedFor();
        voted_for_ = voted < 0 ? std::nullopt : std::optional{static_cast<std::uint32_t>(voted)};
        return success();
      }
      case proto::LogRecord::ENTRY:
        entries_.push_back(read_entry(r.getEntry()));
        return success();
      case proto::LogRecord::TRUNCATE: {
        const auto from = r.getTruncate();
        if (from == 0 || from > entries_.size() + 1) return errc::parse_error;
        entries_.resize(from - 1);
        return success();
      }
    }
  } catch (const kj::Exception&) {
    return errc::parse_error;
  }
  return errc::parse_error;
}

result<void> partition_log::set_term(std::uint64_t term, std::optional<std::uint32_t> voted_for) {
  assert(term >= term_);
  term_ = term;
  voted_for_ = voted_for;
  if (!disk_) return success();
  capnp::MallocMessageBuilder builder;
  auto vote = builder.initRoot<proto::LogRecord>().initVote();
  vote.setTerm(term);
  vote.setVotedFor(voted_for ? std::int64_t{*voted_for} : -1);
  unsynced_ = true;
  return disk_->append(bytes_of(capnp::messageToFlatArray(builder)));
}

std::uint64_t partition_log::term_at(std::uint64_t seq) const noexcept {
  return seq == 0 || seq > entries_.size() ? 0 : entries_[seq - 1].term;
}

const log_entry& partition_log::at(std::uint64_t seq) const noexcept {
  assert(seq >= 1 && seq <= entries_.size());
  return entries_[seq - 1];
}

result<void> partition_log::append(log_entry e) {
  if (disk_) {
    capnp::MallocMessageBuilder builder;
    write_entry(builder.initRoot<proto::LogRecord>().initEntry(), e);
    unsynced_ = true;
    if (auto appended = disk_->append(bytes_of(capnp::messageToFlatArray(builder))); !appended)
      return appended;
  }
  entries_.push_back(std::move(e));
  return success();
}

result<void> partition_log::truncate_from(std::uint64_t seq) {
  assert(seq >= 1 && seq <= entries_.size());
  if (disk_) {
    capnp::MallocMessageBuilder builder;
    builder.initRoot<proto::LogRecord>().setTruncate(seq);
    unsynced_ = true;
    if (auto appended = disk_->append(bytes_of(capnp::messageToFlatArray(builder))); !appended)
      return appended;
  }
  entries_.resize(seq - 1);
  return success();
}

result<void> partition_log::sync() {
  if (!disk_ || !unsynced_) return success();
  unsynced_ = false;
  return disk_->sync();
}

}  // namespace coact::policies::dynamo
