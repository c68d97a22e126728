#include "log_entry.hpp"

namespace coact::policies::dynamo {

void write_entry(proto::Entry::Builder b, const log_entry& e) {
  b.setTerm(e.term);
  switch (e.kind) {
    case entry_kind::noop:
      b.setKind(proto::EntryKind::NOOP);
      break;
    case entry_kind::put:
      b.setKind(proto::EntryKind::PUT);
      break;
    case entry_kind::cas:
      b.setKind(proto::EntryKind::CAS);
      break;
  }
  b.setKey(e.key);
  b.setValue(e.value);
  b.setHasExpected(e.expected.has_value());
  if (e.expected) b.setExpected(*e.expected);
  b.setWriter(e.writer);
  b.setClient(e.client);
  b.setSequence(e.sequence);
}

log_entry read_entry(proto::Entry::Reader r) {
  log_entry e;
  e.term = r.getTerm();
  switch (r.getKind()) {
    case proto::EntryKind::NOOP:
      e.kind = entry_kind::noop;
      break;
    case proto::EntryKind::PUT:
      e.kind = entry_kind::put;
      break;
    case proto::EntryKind::CAS:
      e.kind = entry_kind::cas;
      break;
  }
  e.key = text_of(r.getKey());
  e.value = text_of(r.getValue());
  if (r.getHasExpected()) e.expected = text_of(r.getExpected());
  e.writer = r.getWriter();
  e.client = r.getClient();
  e.sequence = r.getSequence();
  return e;
}

}  // namespace coact::policies::dynamo
