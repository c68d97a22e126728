#pragma once

#include <string>
#include <vector>

#include "coact/runtime/result.hpp"
#include "policy_variant.hpp"

namespace coact::bench {

/// The variants of `catalog` that `filter` selects, in catalog order: all when `filter` is
/// empty; else those that an entry names by slug ("quorum-one-one"), by family ("quorum")
/// or by name as tables print it ("quorum R=ONE W=ONE"). errc::invalid_argument when an
/// entry names no variant; `*unknown` then holds the first such entry.
[[nodiscard]] result<std::vector<const policy_variant*>> select_policies(
    const std::vector<policy_variant>& catalog, const std::vector<std::string>& filter,
    std::string* unknown);

}  // namespace coact::bench
