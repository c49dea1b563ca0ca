#pragma once

#include "graft/text/TextDataset.h"

#include <cstdint>
#include <vector>

namespace graft::text {

/// Training and validation indices into a sample list.
struct SplitIndices
{
    std::vector<int> train;
    std::vector<int> val;
};

/// Seeded stratified split: about `valFraction` of each class goes to val (at least one
/// sample when a class has two or more). Same labels and seed give the same split everywhere
/// (own Fisher-Yates over mt19937_64, not std::shuffle).
SplitIndices stratifiedSplit(const std::vector<int> &labels, double valFraction, uint64_t seed);

/// Seeded stratified k folds: fold f's val set is every k-th sample of each shuffled class.
std::vector<SplitIndices> stratifiedKFold(const std::vector<int> &labels, int k, uint64_t seed);

/// Training and validation indices of a dataset: its own train/val split when it has both,
/// else a seeded stratified split of the train and unsplit texts (`valFraction` to val).
SplitIndices splitTextDataset(const TextDataset &data, double valFraction, int seed);

} // namespace graft::text
