#include "coact/policies/strong/log_entry.hpp"

namespace coact::policies::strong {
namespace {

std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace

command read_command(proto::Command::Reader r) {
  command c;
  c.client = r.getClient();
  c.sequence = r.getSequence();
  switch (r.which()) {
    case proto::Command::NOOP:
      c.what = command::kind::noop;
      break;
    case proto::Command::PUT:
      c.what = command::kind::put;
      c.key = text_of(r.getPut().getKey());
      c.value = text_of(r.getPut().getValue());
      break;
    case proto::Command::CAS: {
      const auto cas = r.getCas();
      c.what = command::kind::cas;
      c.key = text_of(cas.getKey());
      c.value = text_of(cas.getValue());
      if (cas.getHasExpected()) c.expected = text_of(cas.getExpected());
      break;
    }
  }
  return c;
}

void write_command(proto::Command::Builder b, const command& c) {
  b.setClient(c.client);
  b.setSequence(c.sequence);
  switch (c.what) {
    case command::kind::noop:
      b.setNoop();
      break;
    case command::kind::put: {
      auto put = b.initPut();
      put.setKey(c.key);
      put.setValue(c.value);
      break;
    }
    case command::kind::cas: {
      auto cas = b.initCas();
      cas.setKey(c.key);
      cas.setValue(c.value);
      cas.setHasExpected(c.expected.has_value());
      if (c.expected) cas.setExpected(*c.expected);
      break;
    }
  }
}

log_entry read_entry(proto::Entry::Reader r) {
  return {.term = r.getTerm(), .command = read_command(r.getCommand())};
}

void write_entry(proto::Entry::Builder b, const log_entry& e) {
  b.setTerm(e.term);
  write_command(b.initCommand(), e.command);
}

}  // namespace coact::policies::strong
