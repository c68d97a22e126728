#include "coact/check/history_json.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <string_view>

namespace coact::check {
namespace {

using json = nlohmann::json;

json to_json(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return *i;
  if (const auto* s = std::get_if<std::string>(&d)) return *s;
  return nullptr;
}

std::optional<datum> to_datum(const json& j) {
  if (j.is_null()) return datum{};
  if (j.is_number_integer()) return datum{j.get<std::int64_t>()};
  if (j.is_string()) return datum{j.get<std::string>()};
  return std::nullopt;
}

std::optional<event_type> parse_type(std::string_view s) {
  if (s == "invoke") return event_type::invoke;
  if (s == "ok") return event_type::ok;
  if (s == "fail") return event_type::fail;
  if (s == "info") return event_type::info;
  return std::nullopt;
}

std::optional<op_kind> parse_f(std::string_view s) {
  // Jepsen's key-value tests say get and put where register tests say read and write.
  if (s == "read" || s == "get") return op_kind::read;
  if (s == "write" || s == "put") return op_kind::write;
  if (s == "cas") return op_kind::cas;
  if (s == "append") return op_kind::append;
  return std::nullopt;
}

/// The event on one line, or why not.
std::optional<event> parse_event(const json& j, std::size_t position, std::string& reason) {
  if (!j.is_object()) {
    reason = "not a JSON object";
    return std::nullopt;
  }
  event e;
  e.index = position;
  const auto integer = [&](const char* name, auto& out, bool required) {
    const auto it = j.find(name);
    if (it == j.end()) {
      if (required) reason = std::string{"missing field '"} + name + "'";
      return !required;
    }
    if (!it->is_number_integer()) {
      reason = std::string{"field '"} + name + "' is not an integer";
      return false;
    }
    out = it->template get<std::remove_reference_t<decltype(out)>>();
    return true;
  };
  const auto text = [&](const char* name, std::string& out, bool required) {
    const auto it = j.find(name);
    if (it == j.end()) {
      if (required) reason = std::string{"missing field '"} + name + "'";
      return !required;
    }
    if (!it->is_string()) {
      reason = std::string{"field '"} + name + "' is not a string";
      return false;
    }
    out = it->get<std::string>();
    return true;
  };
  std::string type;
  std::string f;
  if (!integer("index", e.index, false) || !integer("time", e.time_ns, false) ||
      !integer("process", e.process, true) || !text("type", type, true) || !text("f", f, true) ||
      !text("key", e.key, false) || !text("node", e.node, false) ||
      !text("session", e.session, false)) {
    return std::nullopt;
  }
  const auto t = parse_type(type);
  const auto op = parse_f(f);
  if (!t || !op) {
    reason = !t ? "unknown type '" + type + "'" : "unknown f '" + f + "'";
    return std::nullopt;
  }
  e.type = *t;
  e.f = *op;
  if (const auto it = j.find("version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) {
      reason = "field 'version' is not a non-negative integer";
      return std::nullopt;
    }
    e.version = it->get<std::uint64_t>();
  }
  if (const auto it = j.find("matched"); it != j.end()) {
    if (!it->is_boolean()) {
      reason = "field 'matched' is not a boolean";
      return std::nullopt;
    }
    e.matched = it->get<bool>();
  }
  const auto it = j.find("value");
  if (it == j.end()) return e;
  if (e.f == op_kind::cas) {
    if (!it->is_array() || it->size() != 2) {
      reason = "a cas value must be [expected, new]";
      return std::nullopt;
    }
    const auto expected = to_datum((*it)[0]);
    const auto next = to_datum((*it)[1]);
    if (!expected || !next) {
      reason = "a cas value holds something other than null, an integer or a string";
      return std::nullopt;
    }
    e.expected = *expected;
    e.value = *next;
    return e;
  }
  const auto value = to_datum(*it);
  if (!value) {
    reason = "field 'value' is not null, an integer or a string";
    return std::nullopt;
  }
  e.value = *value;
  return e;
}

}  // namespace

std::string to_json_line(const event& e) {
  json j;
  j["index"] = e.index;
  j["time"] = e.time_ns;
  j["process"] = e.process;
  j["type"] = to_string(e.type);
  j["f"] = to_string(e.f);
  if (!e.key.empty()) j["key"] = e.key;
  j["value"] =
      e.f == op_kind::cas ? json::array({to_json(e.expected), to_json(e.value)}) : to_json(e.value);
  if (!e.matched) j["matched"] = false;
  if (e.version) j["version"] = *e.version;
  if (!e.node.empty()) j["node"] = e.node;
  if (!e.session.empty()) j["session"] = e.session;
  return j.dump();
}

void write_json_lines(std::ostream& out, const history& h) {
  for (const event& e : h) out << to_json_line(e) << '\n';
}

result<history> read_json_lines(std::istream& in, parse_failure* failure) {
  history h;
  std::string line;
  std::size_t number = 0;
  const auto fail = [&](std::string reason) -> result<history> {
    if (failure != nullptr) *failure = {number, std::move(reason)};
    return errc::parse_error;
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("not valid JSON");
    std::string reason;
    auto e = parse_event(j, h.size(), reason);
    if (!e) return fail(std::move(reason));
    h.push_back(std::move(*e));
  }
  if (in.bad()) return fail("read error");
  return h;
}

result<void> save_history(const std::filesystem::path& file, const history& h) {
  std::ofstream out{file};
  if (!out) return errc::invalid_argument;
  write_json_lines(out, h);
  out.flush();
  if (!out) return errc::invalid_argument;
  return success();
}

result<history> load_history(const std::filesystem::path& file, parse_failure* failure) {
  std::ifstream in{file};
  if (!in) {
    if (failure != nullptr) *failure = {0, "cannot open " + file.string()};
    return errc::invalid_argument;
  }
  return read_json_lines(in, failure);
}

}  // namespace coact::check
