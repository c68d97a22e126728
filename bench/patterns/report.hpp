#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "result_row.hpp"

namespace coact::bench {

/// The rows as a table for people: one line per run, latencies in ms.
[[nodiscard]] std::string format_table(const std::vector<result_row>& rows);
/// The rows as a JSON array of objects (field names as in format_csv's header).
[[nodiscard]] std::string format_json(const std::vector<result_row>& rows);
/// The rows as CSV with a header line.
[[nodiscard]] std::string format_csv(const std::vector<result_row>& rows);

}  // namespace coact::bench
