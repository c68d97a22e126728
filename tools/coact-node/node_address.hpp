#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace coact::tools {

/// A node's `host:port` as a topology file writes it, in canonical form, or why it is not one.
struct address_parse {
  /// An IPv4 or IPv6 literal in canonical form (IPv6 without brackets), or a host name in
  /// lower case, so that two spellings of one address compare equal; empty on a problem.
  std::string host;
  /// 1 to 65535; 0 on a problem.
  std::uint16_t port = 0;
  /// What is wrong with the text; empty when it is a good address.
  std::string problem;
  /// How to write it instead; empty when it is a good address.
  std::string fix;
};

/// Parses `text`: `host:port` with an IPv4 literal or an RFC 1123 host name, or
/// `[host]:port` with an IPv6 literal. The unspecified addresses (0.0.0.0, ::) are refused:
/// no other node can connect to them.
[[nodiscard]] address_parse parse_address(std::string_view text);

}  // namespace coact::tools
