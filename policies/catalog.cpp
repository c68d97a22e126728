#include "coact/policies/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "coact/actors/replica.capnp.h"
#include "coact/actors/replication/replication.capnp.h"
#include "coact/policies/dynamo/deployment.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "coact/policies/strong/deployment.hpp"
#include "coact/policies/txn/deployment.hpp"
#include "coact/policies/txn/txn.capnp.h"

namespace coact::policies {
namespace {

/// A variant whose deploy is `family`'s deploy with `settings` (their storage and seed
/// from the caller's).
template <class Options, class Deploy>
variant make(std::string slug, std::string name, std::string family, Deploy deploy,
             Options settings, std::uint64_t write_type) {
  return {.slug = std::move(slug),
          .name = std::move(name),
          .family = std::move(family),
          .deploy = [deploy, settings](const kv::topology& where, const kv::deploy_options& common)
              -> result<std::unique_ptr<kv::deployment>> {
            Options o = settings;
            static_cast<kv::deploy_options&>(o) = common;
            BOOST_OUTCOME_TRY(auto d, deploy(where, std::move(o)));
            return std::unique_ptr<kv::deployment>{std::move(d)};
          },
          .write_request_types = {write_type}};
}

/// "LOCAL_QUORUM" as a slug's part: "local-quorum".
std::string slug_of(quorum::level l) {
  std::string out = quorum::to_string(l);
  for (char& c : out)
    c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

variant quorum_variant(quorum::level read, quorum::level write) {
  return make("quorum-" + slug_of(read) + "-" + slug_of(write),
              std::string{"quorum R="} + quorum::to_string(read) + " W=" + quorum::to_string(write),
              "quorum", &quorum::deploy, quorum::options{.defaults = {read, write}},
              capnp::typeId<kv::proto::ReplicaWrite>());
}

/// `v`, promising linearizable histories.
variant linearizable(variant v) {
  v.linearizable = true;
  return v;
}

std::vector<variant> build() {
  using namespace read_concern;  // read_level, write_level, read_preference
  const auto rc = [](std::string slug, std::string label, session_options session) {
    return make("read-concern-" + std::move(slug), "read_concern " + std::move(label),
                "read_concern", &read_concern::deploy, read_concern::options{.session = session},
                capnp::typeId<replication::proto::AppendEntries>());
  };
  const auto raft_append = capnp::typeId<replication::proto::AppendEntries>();
  return {
      linearizable(make("strong", "strong (Raft)", "strong", &strong::deploy, strong::options{},
                        raft_append)),
      quorum_variant(quorum::level::one, quorum::level::one),
      quorum_variant(quorum::level::one, quorum::level::all),
      quorum_variant(quorum::level::quorum, quorum::level::quorum),
      quorum_variant(quorum::level::local_quorum, quorum::level::local_quorum),
      rc("local-w1", "local w:1", {.read = read_level::local, .write = write_level::one}),
      rc("local-w1-secondary", "local w:1 secondary",
         {.read = read_level::local,
          .write = write_level::one,
          .preference = read_preference::secondary}),
      rc("majority-wmajority", "majority w:majority",
         {.read = read_level::majority, .write = write_level::majority}),
      linearizable(rc("linearizable-wmajority", "linearizable w:majority",
                      {.read = read_level::linearizable, .write = write_level::majority})),
      make("dynamo-eventual", "dynamo eventual", "dynamo", &dynamo::deploy, dynamo::options{},
           raft_append),
      // Its descriptor promises linearizable writes and consistent reads: only the variant
      // whose every read is consistent has linearizable histories.
      linearizable(make("dynamo-consistent", "dynamo ConsistentRead", "dynamo", &dynamo::deploy,
                        dynamo::options{.client = {.consistent_read = true}}, raft_append)),
      make("txn-2pc", "txn-2pc", "txn-2pc", &txn::deploy, txn::options{},
           capnp::typeId<txn::proto::Prepare>()),
      make("txn-2pc-replicated", "txn-2pc-replicated", "txn-2pc-replicated", &txn::deploy,
           txn::options{.replicated = true}, capnp::typeId<txn::proto::Prepare>()),
      // TrueTime's bound at the paper's typical 4 ms.
      make("spanner", "spanner (TrueTime)", "spanner", &txn::deploy,
           txn::options{.epsilon = std::chrono::milliseconds{4}},
           capnp::typeId<txn::proto::Prepare>()),
  };
}

}  // namespace

const std::vector<variant>& catalog() {
  static const std::vector<variant> all = build();
  return all;
}

const variant* find_variant(std::string_view slug) {
  const auto& all = catalog();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const variant& v) { return v.slug == slug; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace coact::policies
