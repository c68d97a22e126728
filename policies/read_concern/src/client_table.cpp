#include "client_table.hpp"

#include <algorithm>
#include <cassert>
#include <iterator>
#include <utility>

namespace coact::policies::read_concern {

void client_table::record(std::uint64_t client, write_answer answer, std::uint64_t stable_index) {
  auto& answers = clients_[client];
  assert(answers.empty() || (answers.back().position.index < answer.position.index &&
                             answers.back().sequence < answer.sequence));
  answers.push_back(std::move(answer));
  const auto later = std::find_if(answers.begin(), answers.end(), [&](const write_answer& a) {
    return a.position.index > stable_index;
  });
  if (std::distance(answers.begin(), later) > 1) answers.erase(answers.begin(), later - 1);
}

const write_answer* client_table::last(std::uint64_t client) const {
  const auto it = clients_.find(client);
  return it == clients_.end() ? nullptr : &it->second.back();
}

void client_table::drop_after(std::uint64_t index) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    auto& answers = it->second;
    while (!answers.empty() && answers.back().position.index > index) answers.pop_back();
    it = answers.empty() ? clients_.erase(it) : std::next(it);
  }
}

}  // namespace coact::policies::read_concern
