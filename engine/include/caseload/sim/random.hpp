#pragma once
// Independent random streams, one per (master seed, replication, purpose, index),
// each seeded through a seed sequence so that streams never overlap in practice
// and a change in one part of a model leaves every other stream untouched.

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/taus88.hpp>
#include <cstdint>
#include <random>

namespace caseload::sim {

using Engine = boost::random::mt19937_64;
// For the many small streams of individual agents (e.g. one per officer):
// 12 bytes of state instead of 2.5 KB, for streams that draw rarely.
using SmallEngine = boost::random::taus88;

struct StreamKey {
  std::uint64_t master_seed = 0;
  std::uint32_t replication = 0;
  std::uint32_t purpose = 0; // a caller-defined number; the sim layer gives it no meaning
  std::uint32_t index = 0;   // e.g. a sub-population the stream belongs to
  std::uint32_t sub = 0;     // e.g. a member of it
};

template <class E = Engine>
E make_stream(const StreamKey& key) {
  // std::seed_seq's algorithm is fixed by the standard, so the seeds are the
  // same with every standard library.
  std::seed_seq seq{static_cast<std::uint32_t>(key.master_seed),
                    static_cast<std::uint32_t>(key.master_seed >> 32), key.replication,
                    key.purpose, key.index, key.sub};
  return E(seq);
}

} // namespace caseload::sim
