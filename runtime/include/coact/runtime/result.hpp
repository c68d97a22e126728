#pragma once

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

#include "coact/runtime/errc.hpp"

namespace coact {

namespace outcome = BOOST_OUTCOME_V2_NAMESPACE;

/// The result of every operation that can fail at an API boundary: a value or a
/// std::error_code (usually from coact::errc). Never throws on construction.
template <class T>
using result = outcome::std_result<T>;

/// The value-less success, for `result<void>`.
using outcome::success;

}  // namespace coact
