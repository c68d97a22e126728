#include "coact/check/history_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "coact/check/event_pairing.hpp"

namespace coact::check {
namespace {

using json = nlohmann::json;

json to_json(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return *i;
  if (const auto* s = std::get_if<std::string>(&d)) return *s;
  return nullptr;
}

/// Whether `j` is an integer that fits a std::int64_t. JSON integers above it would wrap
/// (2^64 - 1 would read as -1), so they are refused rather than compared wrongly.
bool is_int64(const json& j) {
  if (j.is_number_unsigned()) {
    return j.get<std::uint64_t>() <=
           static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  }
  return j.is_number_integer();
}

std::optional<datum> to_datum(const json& j) {
  if (j.is_null()) return datum{};
  if (is_int64(j)) return datum{j.get<std::int64_t>()};
  if (j.is_string()) return datum{j.get<std::string>()};
  return std::nullopt;
}

/// Whether the line is an event of a process that is not a client: Jepsen names its
/// nemesis `"process": "nemesis"`, where clients have integers.
bool is_non_client(const json& j) {
  if (!j.is_object()) return false;
  const auto it = j.find("process");
  return it != j.end() && it->is_string();
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
  if (s == "txn") return op_kind::txn;
  return std::nullopt;
}

/// A transaction's value: `[[f, key, value], ...]` with f "r", "w" or "append"; a read's
/// value is null, a scalar (a register) or an array of scalars (a list). Why not, or empty.
std::string parse_txn(const json& j, std::vector<micro_op>& out) {
  constexpr const char* scalar = "null, an integer from -2^63 to 2^63 - 1 or a string";
  if (!j.is_array()) return "a txn value must be an array of [f, key, value]";
  for (const json& m : j) {
    if (!m.is_array() || m.size() != 3 || !m[0].is_string()) {
      return "a txn value's micro-operation " + m.dump() + " is not [f, key, value]";
    }
    micro_op op;
    const auto f = m[0].get<std::string>();
    if (f == "r") {
      op.f = micro_op::kind::read;
    } else if (f == "w") {
      op.f = micro_op::kind::write;
    } else if (f == "append") {
      op.f = micro_op::kind::append;
    } else {
      return "unknown micro-operation '" + f + "' (r, w or append)";
    }
    const auto key = to_datum(m[1]);
    if (!key || key->index() == 0) {
      return "a micro-operation's key must be an integer or a string, not " + m[1].dump();
    }
    op.key = *key;
    if (op.f == micro_op::kind::read && m[2].is_array()) {
      op.list.emplace();
      for (const json& x : m[2]) {
        const auto element = to_datum(x);
        if (!element) return std::string{"a list read holds something other than "} + scalar;
        op.list->push_back(*element);
      }
    } else if (const auto value = to_datum(m[2])) {
      op.value = *value;
    } else {
      return std::string{"a micro-operation's value is not "} + scalar +
             (op.f == micro_op::kind::read ? " or an array of them" : "");
    }
    out.push_back(std::move(op));
  }
  return {};
}

json to_json(const std::vector<micro_op>& txn) {
  json out = json::array();
  for (const micro_op& op : txn) {
    const char* f = op.f == micro_op::kind::read    ? "r"
                    : op.f == micro_op::kind::write ? "w"
                                                    : "append";
    json value = to_json(op.value);
    if (op.list) {
      value = json::array();
      for (const datum& x : *op.list) value.push_back(to_json(x));
    }
    out.push_back(json::array({f, to_json(op.key), std::move(value)}));
  }
  return out;
}

/// Reads the event on one line into `e` (whose index is the default); why not, or empty.
std::string parse_event(const json& j, event& e) {
  if (!j.is_object()) return "not a JSON object";
  std::string reason;
  const auto field = [&](const char* name, bool required) -> const json* {
    const auto it = j.find(name);
    if (it != j.end()) return &*it;
    if (required) reason = std::string{"missing field '"} + name + "'";
    return nullptr;
  };
  const auto integer = [&](const char* name, std::int64_t& out, bool required) {
    const json* value = field(name, required);
    if (value == nullptr) return !required;
    if (!is_int64(*value)) {
      reason = std::string{"field '"} + name + "' is not an integer from -2^63 to 2^63 - 1";
      return false;
    }
    out = value->get<std::int64_t>();
    return true;
  };
  const auto text = [&](const char* name, std::string& out, bool required) {
    const json* value = field(name, required);
    if (value == nullptr) return !required;
    if (!value->is_string()) {
      reason = std::string{"field '"} + name + "' is not a string";
      return false;
    }
    out = value->get<std::string>();
    return true;
  };
  if (const json* index = field("index", false); index != nullptr) {
    if (!index->is_number_unsigned()) return "field 'index' is not a non-negative integer";
    e.index = index->get<std::uint64_t>();
  }
  std::string type;
  std::string f;
  if (!integer("time", e.time_ns, false) || !integer("process", e.process, true) ||
      !text("type", type, true) || !text("f", f, true) || !text("key", e.key, false) ||
      !text("node", e.node, false) || !text("session", e.session, false)) {
    return reason;
  }
  const auto t = parse_type(type);
  const auto op = parse_f(f);
  if (!t) return "unknown type '" + type + "'";
  if (!op) return "unknown f '" + f + "'";
  e.type = *t;
  e.f = *op;
  if (const auto it = j.find("version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return "field 'version' is not a non-negative integer";
    e.version = it->get<std::uint64_t>();
  }
  if (const auto it = j.find("matched"); it != j.end()) {
    if (!it->is_boolean()) return "field 'matched' is not a boolean";
    e.matched = it->get<bool>();
  }
  const auto it = j.find("value");
  if (it == j.end()) return {};
  if (e.f == op_kind::txn) return parse_txn(*it, e.txn);
  if (e.f == op_kind::cas) {
    if (!it->is_array() || it->size() != 2) return "a cas value must be [expected, new]";
    const auto expected = to_datum((*it)[0]);
    const auto next = to_datum((*it)[1]);
    if (!expected || !next) {
      return "a cas value holds something other than null, an integer from -2^63 to 2^63 - 1 "
             "or a string";
    }
    e.expected = *expected;
    e.value = *next;
    return {};
  }
  const auto value = to_datum(*it);
  if (!value) {
    return "field 'value' is not null, an integer from -2^63 to 2^63 - 1 or a string";
  }
  e.value = *value;
  return {};
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
  if (e.f == op_kind::txn) {
    j["value"] = to_json(e.txn);
  } else if (e.f == op_kind::cas) {
    j["value"] = json::array({to_json(e.expected), to_json(e.value)});
  } else {
    j["value"] = to_json(e.value);
  }
  if (!e.matched) j["matched"] = false;
  if (e.version) j["version"] = *e.version;
  if (!e.node.empty()) j["node"] = e.node;
  if (!e.session.empty()) j["session"] = e.session;
  return j.dump();
}

void write_json_lines(std::ostream& out, const history& h) {
  for (const event& e : h) out << to_json_line(e) << '\n';
}

result<history> read_json_lines(std::istream& in, parse_failure* failure,
                                std::size_t* skipped_count) {
  history h;
  event_pairing pairing;
  std::size_t skipped = 0;
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
    if (is_non_client(j)) {
      ++skipped;
      continue;
    }
    event e;
    e.index = h.empty() ? 0 : h.back().index + 1;
    if (std::string reason = parse_event(j, e); !reason.empty()) return fail(std::move(reason));
    if (std::string reason = pairing.add(e); !reason.empty()) return fail(std::move(reason));
    h.push_back(std::move(e));
  }
  if (in.bad()) return fail("read error");
  if (skipped_count != nullptr) *skipped_count = skipped;
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

result<history> load_history(const std::filesystem::path& file, parse_failure* failure,
                             std::size_t* skipped_count) {
  std::ifstream in{file};
  if (!in) {
    if (failure != nullptr) *failure = {0, "cannot open " + file.string()};
    return errc::invalid_argument;
  }
  return read_json_lines(in, failure, skipped_count);
}

}  // namespace coact::check
