#pragma once

#include "coact/policies/read_concern/read_concern.capnp.h"
#include "oplog.hpp"

namespace coact::policies::read_concern {

/// An oplog entry from its wire and disk form, and back.
[[nodiscard]] entry read_entry(proto::Entry::Reader r);
void write_entry(proto::Entry::Builder b, const entry& e);

}  // namespace coact::policies::read_concern
