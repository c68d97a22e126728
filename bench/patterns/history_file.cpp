#include "history_file.hpp"

#include <utility>

#include "coact/check/history_json.hpp"

namespace coact::bench {

result<history_file> history_file::create(const std::filesystem::path& path) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  if (!out) return errc::invalid_argument;
  return history_file{path, std::move(out)};
}

void history_file::write(const check::event& e) { out_ << check::to_json_line(e) << '\n'; }

result<void> history_file::close() {
  out_.close();
  if (!out_) return errc::invalid_argument;
  return success();
}

}  // namespace coact::bench
