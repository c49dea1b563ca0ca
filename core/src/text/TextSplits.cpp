#include "graft/text/TextSplits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

namespace graft::text {

namespace {

std::map<int, std::vector<int>> shuffledByClass(const std::vector<int> &labels, uint64_t seed)
{
    std::map<int, std::vector<int>> byClass;
    for (int i = 0; i < int(labels.size()); ++i)
        byClass[labels[i]].push_back(i);
    std::mt19937_64 rng(seed);
    for (auto &[label, idx] : byClass)
        for (size_t i = idx.size(); i > 1; --i)
            std::swap(idx[i - 1], idx[rng() % i]);
    return byClass;
}

} // namespace

SplitIndices stratifiedSplit(const std::vector<int> &labels, double valFraction, uint64_t seed)
{
    SplitIndices out;
    for (const auto &[label, idx] : shuffledByClass(labels, seed)) {
        const int n = int(idx.size());
        int nVal = int(std::lround(n * std::clamp(valFraction, 0.0, 1.0)));
        if (n >= 2 && valFraction > 0)
            nVal = std::clamp(nVal, 1, n - 1);
        out.val.insert(out.val.end(), idx.begin(), idx.begin() + nVal);
        out.train.insert(out.train.end(), idx.begin() + nVal, idx.end());
    }
    std::sort(out.train.begin(), out.train.end());
    std::sort(out.val.begin(), out.val.end());
    return out;
}

std::vector<SplitIndices> stratifiedKFold(const std::vector<int> &labels, int k, uint64_t seed)
{
    k = std::max(2, k);
    std::vector<SplitIndices> folds(k);
    for (const auto &[label, idx] : shuffledByClass(labels, seed))
        for (int i = 0; i < int(idx.size()); ++i)
            for (int g = 0; g < k; ++g)
                (g == i % k ? folds[g].val : folds[g].train).push_back(idx[i]);
    for (auto &f : folds) {
        std::sort(f.train.begin(), f.train.end());
        std::sort(f.val.begin(), f.val.end());
    }
    return folds;
}

SplitIndices splitTextDataset(const TextDataset &data, double valFraction, int seed)
{
    SplitIndices out;
    out.train = data.indicesOf(QStringLiteral("train"));
    out.val = data.indicesOf(QStringLiteral("val"));
    if (!out.train.empty() && !out.val.empty())
        return out;
    // No ready-made split: split train + unsplit texts, seeded and stratified.
    std::vector<int> pool = data.indicesOf(QString());
    pool.insert(pool.end(), out.train.begin(), out.train.end());
    std::sort(pool.begin(), pool.end());
    std::vector<int> poolLabels;
    for (int i : pool)
        poolLabels.push_back(data.samples[size_t(i)].label);
    const SplitIndices split = stratifiedSplit(poolLabels, valFraction, uint64_t(seed));
    out.train.clear();
    out.val.clear();
    for (int i : split.train)
        out.train.push_back(pool[size_t(i)]);
    for (int i : split.val)
        out.val.push_back(pool[size_t(i)]);
    return out;
}

} // namespace graft::text
