#pragma once

#include <filesystem>
#include <string>

#include "coact/check/convergence.hpp"
#include "coact/runtime/result.hpp"

namespace coact::tools {

/// Reads every replica's final state from a JSON file of the form
/// `{"replica": {"key": {"value": null | <int> | "<string>", "version": <uint>}}}`, where
/// `version` is optional and other fields are ignored (as in history files). Fails with
/// errc::invalid_argument when the file cannot be opened, and with errc::parse_error when
/// it is not JSON, does not have that shape, or names no replica; `reason`, when given,
/// then says what is wrong and where (replica and key).
[[nodiscard]] result<check::replica_states> load_replica_states(const std::filesystem::path& file,
                                                                std::string* reason = nullptr);

}  // namespace coact::tools
