#include "run_slug.hpp"

namespace coact::bench {

std::string run_slug(std::string_view runtime, const bench_topology& where,
                     const policy_variant& policy) {
  return std::string{runtime} + "-" + where.slug() + "-" + policy.slug;
}

}  // namespace coact::bench
