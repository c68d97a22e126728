#include "coact/actors/replication/command.hpp"

namespace coact::replication {
namespace {

std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

command::kind kind_of(proto::Command::Kind k) {
  switch (k) {
    case proto::Command::Kind::PUT:
      return command::kind::put;
    case proto::Command::Kind::CAS:
      return command::kind::cas;
    case proto::Command::Kind::NOOP:
      break;
  }
  return command::kind::noop;
}

proto::Command::Kind wire_kind(command::kind k) {
  switch (k) {
    case command::kind::put:
      return proto::Command::Kind::PUT;
    case command::kind::cas:
      return proto::Command::Kind::CAS;
    case command::kind::noop:
      break;
  }
  return proto::Command::Kind::NOOP;
}

}  // namespace

command read_command(proto::Command::Reader r) {
  command c{.what = kind_of(r.getKind()),
            .client = r.getClient(),
            .sequence = r.getSequence(),
            .writer = r.getWriter(),
            .key = text_of(r.getKey()),
            .value = text_of(r.getValue())};
  if (c.what == command::kind::cas && r.getHasExpected()) c.expected = text_of(r.getExpected());
  return c;
}

void write_command(proto::Command::Builder b, const command& c) {
  b.setKind(wire_kind(c.what));
  b.setClient(c.client);
  b.setSequence(c.sequence);
  b.setWriter(c.writer);
  b.setKey(c.key);
  b.setValue(c.value);
  b.setHasExpected(c.expected.has_value());
  if (c.expected) b.setExpected(*c.expected);
}

entry read_entry(proto::Entry::Reader r) {
  return {.term = r.getTerm(), .command = read_command(r.getCommand())};
}

void write_entry(proto::Entry::Builder b, const entry& e) {
  b.setTerm(e.term);
  write_command(b.initCommand(), e.command);
}

}  // namespace coact::replication
