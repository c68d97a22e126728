#include "coact/actors/replication/term_log.hpp"

#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cassert>
#include <cstring>

namespace coact::replication {

result<term_log> term_log::open(std::unique_ptr<kv::log_storage> storage) {
  term_log state{std::nullopt};
  if (!storage) return state;
  bool broken = false;
  const auto replay = [&state, &broken](std::span<const std::byte> bytes) {
    if (broken) return;
    // Copied into words: the log hands out records at any alignment, and Cap'n Proto
    // reads aligned words.
    std::vector<capnp::word> words((bytes.size() + sizeof(capnp::word) - 1) / sizeof(capnp::word));
    std::memcpy(words.data(), bytes.data(), bytes.size());
    try {
      capnp::FlatArrayMessageReader reader{
          kj::ArrayPtr<const capnp::word>{words.data(), words.size()}};
      const auto record = reader.getRoot<proto::Record>();
      if (record.isHardState()) {
        const auto hard = record.getHardState();
        state.term_ = hard.getTerm();
        state.vote_ = hard.getHasVote() ? std::optional{hard.getVote()} : std::nullopt;
        return;
      }
      const auto entries = record.getEntries();
      const std::uint64_t first = entries.getFirst();
      if (first == 0 || first > state.entries_.size() + 1) {
        broken = true;  // a gap: these entries do not follow the log read so far
        return;
      }
      state.entries_.resize(first - 1);
      for (const auto e : entries.getList()) state.entries_.push_back(read_entry(e));
    } catch (const kj::Exception&) {
      broken = true;  // intact bytes (the frame's checksum held) that are not a record
    }
  };
  auto log = kv::durable_log::open(std::move(storage), replay);
  if (!log) return log.error();
  if (broken) return errc::parse_error;
  state.storage_.emplace(std::move(log).value());
  return state;
}

result<void> term_log::set_term(std::uint64_t term, std::optional<std::uint32_t> vote) {
  assert(term >= term_);
  term_ = term;
  vote_ = vote;
  if (!storage_) return success();
  capnp::MallocMessageBuilder record;
  auto hard = record.initRoot<proto::Record>().initHardState();
  hard.setTerm(term);
  hard.setHasVote(vote.has_value());
  hard.setVote(vote.value_or(0));
  return write(record);
}

std::uint64_t term_log::term_at(std::uint64_t index) const noexcept {
  assert(index <= last_index());
  return index == 0 ? 0 : entries_[index - 1].term;
}

const entry& term_log::at(std::uint64_t index) const noexcept {
  assert(index >= 1 && index <= last_index());
  return entries_[index - 1];
}

result<void> term_log::append(std::span<const entry> entries) {
  const std::uint64_t first = last_index() + 1;
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return write_entries(first, entries);
}

result<void> term_log::truncate_after(std::uint64_t index) {
  assert(index <= last_index());
  entries_.resize(index);
  return write_entries(index + 1, {});
}

result<void> term_log::write_entries(std::uint64_t first, std::span<const entry> entries) {
  if (!storage_) return success();
  capnp::MallocMessageBuilder record;
  auto group = record.initRoot<proto::Record>().initEntries();
  group.setFirst(first);
  auto list = group.initList(static_cast<unsigned>(entries.size()));
  for (unsigned i = 0; i < entries.size(); ++i) write_entry(list[i], entries[i]);
  return write(record);
}

result<void> term_log::write(capnp::MessageBuilder& record) {
  const auto words = capnp::messageToFlatArray(record);
  dirty_ = true;
  return storage_->append(std::as_bytes(std::span{words.begin(), words.size()}));
}

result<void> term_log::sync() {
  if (!storage_ || !dirty_) return success();
  BOOST_OUTCOME_TRY(storage_->sync());
  dirty_ = false;
  return success();
}

}  // namespace coact::replication
