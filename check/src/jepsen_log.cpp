#include "coact/check/jepsen_log.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include "coact/check/event_pairing.hpp"

namespace coact::check {
namespace {

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// Whether `c` ends an EDN token (a keyword, a number, nil): whitespace, a comma, or the
/// close of the map or vector it is in.
bool ends_token(char c) noexcept { return is_space(c) || c == ',' || c == '}' || c == ']'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// The next whitespace-separated token of `s`, which advances past it; empty at the end.
std::string_view next_token(std::string_view& s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end])) ++end;
  const std::string_view token = s.substr(0, end);
  s.remove_prefix(end);
  return token;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return value;
}

/// Appends events in order, checking that invocations and completions pair up so that a
/// broken log is reported at its line rather than later without one, and counts the
/// events it skips.
class history_builder {
 public:
  /// Adds `e` as the next event; the reason when it breaks the pairing, empty otherwise.
  std::string add(event e) {
    // These logs carry no clock: the position stands for the time too.
    e.index = h_.size();
    e.time_ns = static_cast<std::int64_t>(h_.size());
    if (std::string reason = pairing_.add(e); !reason.empty()) return reason;
    h_.push_back(std::move(e));
    return {};
  }

  /// Counts an event of a process that is not a client (Jepsen's nemesis), left out.
  void skip() { ++skipped_; }

  [[nodiscard]] std::size_t skipped() const noexcept { return skipped_; }
  history take() { return std::move(h_); }

 private:
  history h_;
  event_pairing pairing_;
  std::size_t skipped_ = 0;
};

/// Calls `parse_line(line, builder)` (which returns a reason on failure, empty otherwise)
/// for each line of `text` and turns the first failure into errc::parse_error.
template <class ParseLine>
result<history> parse_lines(std::string_view text, load_error* error, std::size_t* skipped_count,
                            ParseLine parse_line) {
  history_builder builder;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    const std::string reason = parse_line(line, builder);
    if (!reason.empty()) {
      if (error != nullptr) *error = {line_number, reason};
      return errc::parse_error;
    }
  }
  if (skipped_count != nullptr) *skipped_count = builder.skipped();
  return builder.take();
}

result<std::string> read_file(const std::filesystem::path& path, load_error* error) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  if (in) contents << in.rdbuf();
  if (!in || in.bad()) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(path, ec);
    if (error != nullptr) *error = {0, "cannot read " + path.string()};
    return exists ? std::make_error_code(std::errc::io_error)
                  : std::make_error_code(std::errc::no_such_file_or_directory);
  }
  return std::move(contents).str();
}

// --- Jepsen's etcd text log ---

/// A value of an etcd log line: nil or an integer.
std::optional<datum> parse_etcd_scalar(std::string_view s) {
  if (s == "nil") return datum{};
  if (const auto i = parse_int(s)) return datum{*i};
  return std::nullopt;
}

/// `[expected new]`: the pair of a cas.
std::optional<std::pair<datum, datum>> parse_etcd_pair(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return std::nullopt;
  s = s.substr(1, s.size() - 2);
  const auto expected = parse_etcd_scalar(next_token(s));
  const auto desired = parse_etcd_scalar(next_token(s));
  if (!expected || !desired || !trim(s).empty()) return std::nullopt;
  return std::make_pair(*expected, *desired);
}

std::string parse_etcd_line(std::string_view line, history_builder& builder) {
  std::string_view rest = line;
  if (next_token(rest) != "INFO" || next_token(rest) != "jepsen.util" || next_token(rest) != "-") {
    return {};
  }
  const std::string_view process_token = next_token(rest);
  const auto process = parse_int(process_token);
  if (!process) {
    // `:nemesis` and other keyword processes are not clients; other lines are not events.
    if (process_token.starts_with(':')) builder.skip();
    return {};
  }

  const std::string_view type = next_token(rest);
  const std::string_view f = next_token(rest);
  const std::string_view value = trim(rest);
  event e;
  e.process = *process;
  if (type == ":invoke") {
    e.type = event_type::invoke;
  } else if (type == ":ok") {
    e.type = event_type::ok;
  } else if (type == ":fail") {
    e.type = event_type::fail;
  } else if (type == ":info") {
    e.type = event_type::info;
  } else {
    return "unknown type '" + std::string{type} + "'";
  }
  const std::string bad_value = "bad value '" + std::string{value} + "' for " + std::string{f};

  if (f == ":read") {
    e.f = op_kind::read;
    if (e.type == event_type::invoke || e.type == event_type::ok) {
      const auto v = parse_etcd_scalar(value);
      if (!v || (e.type == event_type::invoke && *v != datum{})) return bad_value;
      e.value = *v;
    } else {
      // A failed read (:timed-out) may or may not have reached etcd: its outcome is unknown.
      e.type = event_type::info;
    }
  } else if (f == ":write") {
    e.f = op_kind::write;
    if (e.type == event_type::invoke || e.type == event_type::ok) {
      const auto v = parse_etcd_scalar(value);
      if (!v) return bad_value;
      e.value = *v;
    }
  } else if (f == ":cas") {
    e.f = op_kind::cas;
    if (e.type != event_type::info) {
      const auto pair = parse_etcd_pair(value);
      if (!pair) return bad_value;
      e.expected = pair->first;
      e.value = pair->second;
      // Jepsen's etcd client reports a cas whose compare failed as :fail, though it ran.
      if (e.type == event_type::fail) {
        e.type = event_type::ok;
        e.matched = false;
      }
    }
  } else {
    return "unknown f '" + std::string{f} + "'";
  }
  return builder.add(std::move(e));
}

// --- EDN key-value log ---

/// A cursor over one EDN map of scalars; each parse_* advances past what it read.
class edn_cursor {
 public:
  explicit edn_cursor(std::string_view text) : rest_(text) {}

  /// Skips whitespace, for which EDN counts commas too.
  void skip() {
    while (!rest_.empty() && (is_space(rest_.front()) || rest_.front() == ',')) {
      rest_.remove_prefix(1);
    }
  }
  bool consume(char c) {
    skip();
    if (rest_.empty() || rest_.front() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  [[nodiscard]] bool at_end() {
    skip();
    return rest_.empty();
  }

  /// Whether a collection comes next: a vector, a map, a list or a set.
  [[nodiscard]] bool at_collection() {
    skip();
    return rest_.starts_with('[') || rest_.starts_with('{') || rest_.starts_with('(') ||
           rest_.starts_with("#{");
  }

  /// Whether a vector comes next.
  [[nodiscard]] bool at_vector() {
    skip();
    return rest_.starts_with('[');
  }

  /// The text of the form that comes next (a collection, a string or a token), which it
  /// skips; nothing when there is none, or it does not end (a collection's brackets do not
  /// close, a string is unterminated).
  std::optional<std::string_view> next_form() {
    skip();
    const std::string_view start = rest_;
    if (at_collection()) {
      if (!skip_collection()) return std::nullopt;
    } else if (rest_.starts_with('"')) {
      if (!parse_string()) return std::nullopt;
    } else if (parse_token().empty()) {
      return std::nullopt;
    }
    return start.substr(0, start.size() - rest_.size());
  }

  /// Skips the collection that comes next, with what it nests (a nemesis's `:value` is
  /// one); false when its brackets do not close. Iterative, so that no nesting depth can
  /// exhaust the stack.
  bool skip_collection() {
    std::string closers;  // the brackets still to close, innermost last
    for (std::size_t i = 0; i < rest_.size(); ++i) {
      const char c = rest_[i];
      if (c == '\\') {
        ++i;  // a character literal such as \] is no bracket
      } else if (c == '"') {
        for (++i; i < rest_.size() && rest_[i] != '"'; ++i) {
          if (rest_[i] == '\\') ++i;
        }
        if (i >= rest_.size()) return false;
      } else if (c == '[' || c == '{' || c == '(') {
        closers += c == '[' ? ']' : c == '{' ? '}' : ')';
      } else if (c == ']' || c == '}' || c == ')') {
        if (closers.empty() || closers.back() != c) return false;
        closers.pop_back();
        if (closers.empty()) {
          rest_.remove_prefix(i + 1);
          return true;
        }
      }
    }
    return false;
  }

  /// `:name`, as "name".
  std::optional<std::string_view> parse_keyword() {
    skip();
    if (rest_.empty() || rest_.front() != ':') return std::nullopt;
    std::size_t end = 1;
    while (end < rest_.size() && !ends_token(rest_[end])) ++end;
    if (end == 1) return std::nullopt;
    const std::string_view name = rest_.substr(1, end - 1);
    rest_.remove_prefix(end);
    return name;
  }

  /// A scalar: nil, an integer, a string, or a keyword (kept as its name, a string).
  std::optional<datum> parse_value() {
    skip();
    if (rest_.empty()) return std::nullopt;
    if (rest_.front() == '"') return parse_string();
    if (rest_.front() == ':') {
      const auto keyword = parse_keyword();
      if (!keyword) return std::nullopt;
      return datum{std::string{*keyword}};
    }
    const std::string_view token = parse_token();
    if (token == "nil") return datum{};
    if (const auto i = parse_int(token)) return datum{*i};
    return std::nullopt;
  }

 private:
  /// The token that comes next (up to whitespace, a comma, '}' or ']'), which it skips.
  std::string_view parse_token() {
    std::size_t end = 0;
    while (end < rest_.size() && !ends_token(rest_[end])) ++end;
    const std::string_view token = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return token;
  }

  std::optional<datum> parse_string() {
    std::string text;
    for (std::size_t i = 1; i < rest_.size(); ++i) {
      const char c = rest_[i];
      if (c == '"') {
        rest_.remove_prefix(i + 1);
        return datum{std::move(text)};
      }
      if (c != '\\') {
        text += c;
        continue;
      }
      if (++i == rest_.size()) break;
      switch (rest_[i]) {
        case 'n':
          text += '\n';
          break;
        case 't':
          text += '\t';
          break;
        case 'r':
          text += '\r';
          break;
        case '"':
        case '\\':
          text += rest_[i];
          break;
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;  // unterminated
  }

  std::string_view rest_;
};

/// `form` as one scalar (nil, an integer, a string or a keyword), and nothing else.
std::optional<datum> parse_edn_scalar(std::string_view form) {
  edn_cursor cursor(form);
  if (cursor.at_collection()) return std::nullopt;
  auto value = cursor.parse_value();
  if (!value || !cursor.at_end()) return std::nullopt;
  return value;
}

/// The forms of the vector `form`, at most `count_max` of them; nothing when `form` is not
/// a vector, or holds more.
std::optional<std::vector<std::string_view>> edn_vector_elements(std::string_view form,
                                                                 std::size_t count_max) {
  edn_cursor cursor(form);
  if (!cursor.consume('[')) return std::nullopt;
  std::vector<std::string_view> elements;
  while (!cursor.consume(']')) {
    const auto element = cursor.next_form();
    if (!element || elements.size() == count_max) return std::nullopt;
    elements.push_back(*element);
  }
  if (!cursor.at_end()) return std::nullopt;
  return elements;
}

/// What a scalar of a micro-operation may be, for the messages.
constexpr const char* edn_scalar = "nil, an integer from -2^63 to 2^63 - 1, a string or a keyword";

/// One micro-operation `[f key value]` of a transaction's `:value`, as read_json_lines reads
/// `[f, key, value]`; why not, or empty.
std::string parse_edn_micro_op(std::string_view form, micro_op& op) {
  const auto parts = edn_vector_elements(form, 3);
  std::optional<datum> f;
  if (parts && parts->size() == 3) f = parse_edn_scalar((*parts)[0]);
  const auto* f_name = f ? std::get_if<std::string>(&*f) : nullptr;
  if (f_name == nullptr) {
    return "a txn :value's micro-operation " + std::string{form} + " is not [f key value]";
  }
  if (*f_name == "r") {
    op.f = micro_op::kind::read;
  } else if (*f_name == "w") {
    op.f = micro_op::kind::write;
  } else if (*f_name == "append") {
    op.f = micro_op::kind::append;
  } else {
    return "unknown micro-operation :" + *f_name + " (r, w or append)";
  }
  const auto key = parse_edn_scalar((*parts)[1]);
  if (!key || key->index() == 0) {
    return "a micro-operation's key must be an integer, a string or a keyword, not " +
           std::string{(*parts)[1]};
  }
  op.key = *key;
  const std::string_view value = (*parts)[2];
  if (op.f == micro_op::kind::read && value.starts_with('[')) {
    const auto elements = edn_vector_elements(value, std::numeric_limits<std::size_t>::max());
    if (!elements) return "a list read " + std::string{value} + " is not a vector";
    op.list.emplace();
    for (const std::string_view element : *elements) {
      const auto x = parse_edn_scalar(element);
      if (!x) return std::string{"a list read holds something other than "} + edn_scalar;
      op.list->push_back(*x);
    }
  } else if (const auto x = parse_edn_scalar(value)) {
    op.value = *x;
  } else {
    return std::string{"a micro-operation's value is not "} + edn_scalar +
           (op.f == micro_op::kind::read ? " or a vector of them" : "");
  }
  return {};
}

/// A transaction's `:value`, `[[f key value] ...]`, into `out`: f :r, :w or :append; a
/// read's value nil, a scalar (a register) or a vector of scalars (a list). Why not, or
/// empty.
std::string parse_edn_txn(std::string_view form, std::vector<micro_op>& out) {
  edn_cursor cursor(form);
  if (!cursor.at_vector()) return "a txn :value must be a vector of [f key value]";
  const auto ops = edn_vector_elements(form, std::numeric_limits<std::size_t>::max());
  if (!ops) return "a txn :value " + std::string{form} + " is not a vector";
  for (const std::string_view op_form : *ops) {
    micro_op op;
    if (std::string reason = parse_edn_micro_op(op_form, op); !reason.empty()) return reason;
    out.push_back(std::move(op));
  }
  return {};
}

std::string parse_edn_line(std::string_view line, history_builder& builder) {
  if (trim(line).empty()) return {};
  edn_cursor cursor(line);
  if (!cursor.consume('{')) return "expected '{'";
  std::optional<datum> process;
  std::optional<std::string> type;
  std::optional<std::string> f;
  std::optional<std::string> key;
  // `:value` as written (a txn's is a vector, read once :f is known), when the map has one.
  std::optional<std::string_view> value_form;
  std::optional<std::string_view> version_form;
  while (!cursor.consume('}')) {
    const auto field = cursor.parse_keyword();
    if (!field) return "expected a keyword or '}'";
    if (*field == "value" || *field == "version") {
      // Read once the map is known to be a client's: a nemesis's may hold anything.
      const bool collection = cursor.at_collection();
      const auto form = cursor.next_form();
      if (!form) {
        return (collection ? "unclosed collection for :" : "bad value for :") + std::string{*field};
      }
      // A scalar :value must be one, as any other field's must.
      if (*field == "value" && !collection && !parse_edn_scalar(*form))
        return "bad value for :value";
      (*field == "value" ? value_form : version_form) = *form;
      continue;
    }
    const bool known = *field == "process" || *field == "type" || *field == "f" || *field == "key";
    if (!known && cursor.at_collection()) {
      // A field that is ignored may be a collection.
      if (!cursor.skip_collection()) return "unclosed collection for :" + std::string{*field};
      continue;
    }
    const auto v = cursor.parse_value();
    if (!v) return "bad value for :" + std::string{*field};
    const auto* text = std::get_if<std::string>(&*v);
    if (*field == "process") {
      process = *v;
    } else if (*field == "type" || *field == "f" || *field == "key") {
      if (text == nullptr) return ":" + std::string{*field} + " is not a keyword or string";
      (*field == "type" ? type : *field == "f" ? f : key) = *text;
    }
  }
  if (!cursor.at_end()) return "text after '}'";
  if (!process) return "missing :process";
  // `:process :nemesis`: not a client's event, whatever else it holds.
  if (std::holds_alternative<std::string>(*process)) {
    builder.skip();
    return {};
  }
  if (!std::holds_alternative<std::int64_t>(*process)) return ":process is not an integer";
  const bool is_txn = f && *f == "txn";
  if (!type || !f || (!key && !is_txn)) return "missing :process, :type, :f or :key";

  event e;
  e.process = std::get<std::int64_t>(*process);
  if (key) e.key = std::move(*key);
  if (*type == "invoke") {
    e.type = event_type::invoke;
  } else if (*type == "ok") {
    e.type = event_type::ok;
  } else if (*type == "fail") {
    e.type = event_type::fail;
  } else if (*type == "info") {
    e.type = event_type::info;
  } else {
    return "unknown :type :" + *type;
  }
  if (*f == "get") {
    e.f = op_kind::read;
  } else if (*f == "put") {
    e.f = op_kind::write;
  } else if (*f == "append") {
    e.f = op_kind::append;
  } else if (is_txn) {
    e.f = op_kind::txn;
  } else {
    return "unknown :f :" + *f;
  }
  if (version_form && *version_form != "nil") {
    std::uint64_t version = 0;
    const auto [end, ec] =
        std::from_chars(version_form->data(), version_form->data() + version_form->size(), version);
    if (ec != std::errc{} || end != version_form->data() + version_form->size()) {
      return ":version is not a non-negative integer below 2^64";
    }
    e.version = version;
  }
  if (is_txn) {
    // As in JSON lines, a txn without a :value has no micro-operations.
    if (value_form) {
      if (std::string reason = parse_edn_txn(*value_form, e.txn); !reason.empty()) return reason;
    }
    return builder.add(std::move(e));
  }
  auto value = value_form ? parse_edn_scalar(*value_form) : std::optional<datum>{datum{}};
  const bool is_string = value && std::holds_alternative<std::string>(*value);
  if (!value || (!is_string && !std::holds_alternative<std::monostate>(*value))) {
    return ":value is neither a string nor nil";
  }
  if (e.f != op_kind::read && e.type == event_type::invoke && !is_string) {
    return ":" + *f + " needs a string :value";
  }
  e.value = std::move(*value);
  return builder.add(std::move(e));
}

}  // namespace

result<history> parse_jepsen_etcd_log(std::string_view text, load_error* error,
                                      std::size_t* skipped_count) {
  return parse_lines(text, error, skipped_count, parse_etcd_line);
}

result<history> read_jepsen_etcd_log(const std::filesystem::path& path, load_error* error,
                                     std::size_t* skipped_count) {
  auto text = read_file(path, error);
  if (!text) return text.error();
  return parse_jepsen_etcd_log(text.value(), error, skipped_count);
}

result<history> parse_kv_edn(std::string_view text, load_error* error, std::size_t* skipped_count) {
  return parse_lines(text, error, skipped_count, parse_edn_line);
}

result<history> read_kv_edn(const std::filesystem::path& path, load_error* error,
                            std::size_t* skipped_count) {
  auto text = read_file(path, error);
  if (!text) return text.error();
  return parse_kv_edn(text.value(), error, skipped_count);
}

}  // namespace coact::check
