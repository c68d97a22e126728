#include "node_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "config_error.hpp"

namespace coact::tools {
namespace {

/// RFC 1123 host name: dot-separated labels of letters, digits and '-', not starting or
/// ending with '-'.
bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

constexpr std::string_view address_fix =
    "write host:port, e.g. 127.0.0.1:7001, [::1]:7001 or node-a.example:7001";

}  // namespace

address_parse parse_address(std::string_view text) {
  address_parse out;
  std::string_view host;
  std::string_view port;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      out.problem = in_quotes(text) + " opens a bracket it does not close";
      out.fix = std::string{address_fix};
      return out;
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      out.problem = in_quotes(text) + " has no port after the bracketed host";
      out.fix = std::string{address_fix};
      return out;
    }
    port = rest.substr(1);
    bracketed = true;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      out.problem = in_quotes(text) + " has no port";
      out.fix = std::string{address_fix};
      return out;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      out.problem = in_quotes(text) + " has an IPv6 host without brackets";
      out.fix = "put an IPv6 host in brackets, e.g. [::1]:7001";
      return out;
    }
  }
  if (host.empty()) {
    out.problem = in_quotes(text) + " has no host";
    out.fix = std::string{address_fix};
    return out;
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    out.problem = in_quotes(text) + " has no port number after the ':'";
    out.fix = "end the address with a port from 1 to 65535";
    return out;
  }
  const long number = std::strtol(std::string{port}.c_str(), nullptr, 10);
  if (number < 1 || number > 65535) {
    out.problem = "port " + std::to_string(number) + " is out of range";
    out.fix = "use a port from 1 to 65535";
    return out;
  }
  out.port = static_cast<std::uint16_t>(number);

  // Literals are kept in canonical form so that two spellings of one address compare equal.
  const std::string host_text{host};
  char canonical[INET6_ADDRSTRLEN] = {};
  in6_addr v6{};
  in_addr v4{};
  if (bracketed) {
    if (inet_pton(AF_INET6, host_text.c_str(), &v6) != 1) {
      out.problem = in_quotes(host) + " in brackets is not an IPv6 address";
      out.fix = "put only IPv6 literals in brackets, e.g. [::1]:7001";
      return out;
    }
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) {
      out.problem = "'::' is not an address other nodes can connect to";
      out.fix = "give the address at which the other nodes reach this one";
      return out;
    }
    inet_ntop(AF_INET6, &v6, canonical, sizeof canonical);
    out.host = canonical;
    return out;
  }
  const bool looks_numeric = std::all_of(host.begin(), host.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (looks_numeric) {
    if (inet_pton(AF_INET, host_text.c_str(), &v4) != 1) {
      out.problem = in_quotes(host) + " is not an IPv4 address";
      out.fix = "write four numbers from 0 to 255 separated by dots, e.g. 127.0.0.1";
      return out;
    }
    if (v4.s_addr == INADDR_ANY) {
      out.problem = "0.0.0.0 is not an address other nodes can connect to";
      out.fix = "give the address at which the other nodes reach this one";
      return out;
    }
    inet_ntop(AF_INET, &v4, canonical, sizeof canonical);
    out.host = canonical;
    return out;
  }
  if (!is_host_name(host)) {
    out.problem = in_quotes(host) + " is not a host name";
    out.fix =
        "use an IPv4 or IPv6 literal, or a name made of dot-separated labels of letters, "
        "digits and '-'";
    return out;
  }
  out.host = host_text;
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace coact::tools
