#include "entry_codec.hpp"

namespace coact::policies::read_concern {
namespace {

entry_kind kind_of(proto::EntryKind k) noexcept {
  switch (k) {
    case proto::EntryKind::PUT:
      return entry_kind::put;
    case proto::EntryKind::CAS:
      return entry_kind::cas;
    case proto::EntryKind::NOOP:
      break;
  }
  return entry_kind::noop;
}

proto::EntryKind wire_kind(entry_kind k) noexcept {
  switch (k) {
    case entry_kind::put:
      return proto::EntryKind::PUT;
    case entry_kind::cas:
      return proto::EntryKind::CAS;
    case entry_kind::noop:
      break;
  }
  return proto::EntryKind::NOOP;
}

}  // namespace

entry read_entry(proto::Entry::Reader r) {
  entry e;
  e.term = r.getTerm();
  e.kind = kind_of(r.getKind());
  e.key = r.getKey();
  e.value = r.getValue();
  if (r.getExpectedPresent()) e.expected = std::string{r.getExpected()};
  e.primary = r.getPrimary();
  e.client = r.getClient();
  e.sequence = r.getSequence();
  return e;
}

void write_entry(proto::Entry::Builder b, const entry& e) {
  b.setTerm(e.term);
  b.setKind(wire_kind(e.kind));
  b.setKey(e.key);
  b.setValue(e.value);
  b.setExpectedPresent(e.expected.has_value());
  if (e.expected) b.setExpected(*e.expected);
  b.setPrimary(e.primary);
  b.setClient(e.client);
  b.setSequence(e.sequence);
}

}  // namespace coact::policies::read_concern
