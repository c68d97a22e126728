#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "coact/actors/deployment_base.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies {

/// One family at one setting, as benchmarks and tools name it.
struct variant {
  /// Unique, `[a-z0-9-]+`: how files and command lines name it, e.g. "quorum-one-one".
  std::string slug;
  /// How tables print it, e.g. "quorum R=ONE W=ONE".
  std::string name;
  /// The family, e.g. "quorum".
  std::string family;
  /// Whether its descriptor promises that every operation it issues (its reads at its
  /// level, its writes) is linearizable: then its histories must pass `coact check
  /// linearizability`, faults or not.
  bool linearizable = false;
  /// Sets the variant up on `where` (make_client gives clients at the variant's setting);
  /// `common`'s storage and seed go to the family. Errors: the family's deploy's.
  std::function<result<std::unique_ptr<kv::deployment>>(const kv::topology& where,
                                                        const kv::deploy_options& common)>
      deploy;
  /// The payload types (Cap'n Proto type ids) of the messages by which the variant sends a
  /// write to a replica: models of replication delay single these out.
  std::vector<std::uint64_t> write_request_types;
};

/// Every family and variant, in the order tables list them. Adding a family is one line
/// here (see policies/README.md).
[[nodiscard]] const std::vector<variant>& catalog();

/// The variant named `slug`, or null.
[[nodiscard]] const variant* find_variant(std::string_view slug);

}  // namespace coact::policies
