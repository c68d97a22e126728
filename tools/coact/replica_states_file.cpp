#include "replica_states_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <limits>
#include <optional>
#include <utility>

namespace coact::tools {
namespace {

using json = nlohmann::json;

// The value of one key, or why not (in `reason`).
std::optional<check::replica_value> parse_value(const json& j, std::string& reason) {
  if (!j.is_object()) {
    reason = "not an object with a \"value\"";
    return std::nullopt;
  }
  const auto value = j.find("value");
  if (value == j.end()) {
    reason = "missing field \"value\"";
    return std::nullopt;
  }
  check::replica_value out;
  if (value->is_string()) {
    out.value = value->get<std::string>();
  } else if (value->is_number_integer()) {
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      reason = "\"value\" does not fit a 64-bit signed integer";
      return std::nullopt;
    }
    out.value = value->get<std::int64_t>();
  } else if (!value->is_null()) {
    reason = "\"value\" is not null, an integer or a string";
    return std::nullopt;
  }
  if (const auto version = j.find("version"); version != j.end()) {
    if (!version->is_number_unsigned()) {
      reason = "\"version\" is not an unsigned integer";
      return std::nullopt;
    }
    out.version = version->get<std::uint64_t>();
  }
  return out;
}

result<check::replica_states> fail(std::string* reason, std::string why) {
  if (reason) *reason = std::move(why);
  return errc::parse_error;
}

}  // namespace

result<check::replica_states> load_replica_states(const std::filesystem::path& file,
                                                  std::string* reason) {
  std::ifstream in(file);
  if (!in) {
    if (reason) *reason = "cannot open the file";
    return errc::invalid_argument;
  }
  const json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(reason, "not valid JSON");
  if (!doc.is_object()) return fail(reason, "not a JSON object of replicas");
  if (doc.empty()) return fail(reason, "names no replica");
  check::replica_states states;
  for (const auto& [replica, keys] : doc.items()) {
    if (!keys.is_object()) {
      return fail(reason, "replica \"" + replica + "\": not a JSON object of keys");
    }
    check::replica_state& state = states[replica];
    for (const auto& [key, entry] : keys.items()) {
      std::string why;
      auto value = parse_value(entry, why);
      if (!value) return fail(reason, "replica \"" + replica + "\", key \"" + key + "\": " + why);
      state.emplace(key, std::move(*value));
    }
  }
  return states;
}

}  // namespace coact::tools
