#pragma once

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>

#include <cstdint>

namespace tl {

/// A CPU random generator seeded from `seed`, independent of the global torch
/// seed, so that every random step in core/data is reproducible per seed.
/// `stream` separates the draws of different steps that share one user seed.
inline at::Generator seeded_generator(uint64_t seed, uint64_t stream = 0) {
  // splitmix64-style mixing keeps nearby (seed, stream) pairs unrelated.
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return at::make_generator<at::CPUGeneratorImpl>(z);
}

}  // namespace tl
