#include "policy_selection.hpp"

#include <algorithm>

namespace coact::bench {
namespace {

bool names(const std::string& entry, const policy_variant& v) {
  return entry == v.slug || entry == v.family || entry == v.name;
}

}  // namespace

result<std::vector<const policy_variant*>> select_policies(
    const std::vector<policy_variant>& catalog, const std::vector<std::string>& filter,
    std::string* unknown) {
  for (const std::string& entry : filter) {
    if (std::none_of(catalog.begin(), catalog.end(),
                     [&](const policy_variant& v) { return names(entry, v); })) {
      *unknown = entry;
      return errc::invalid_argument;
    }
  }
  std::vector<const policy_variant*> selected;
  for (const policy_variant& v : catalog) {
    if (filter.empty() || std::any_of(filter.begin(), filter.end(),
                                      [&](const std::string& e) { return names(e, v); })) {
      selected.push_back(&v);
    }
  }
  return selected;
}

}  // namespace coact::bench
