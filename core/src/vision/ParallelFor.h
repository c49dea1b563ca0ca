#pragma once

#include "graft/core/Runtime.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace graft::vision {

/// Runs fn(i) for i in [0, n) on `threads` threads (0 = all cores). Indices are handed out
/// dynamically; fn must be thread-safe and must not throw.
template<typename Fn>
void parallelFor(int n, int threads, Fn &&fn)
{
    const int t = std::clamp(threads > 0 ? threads : core::hardwareThreads(), 1, std::max(1, n));
    if (t <= 1) {
        for (int i = 0; i < n; ++i)
            fn(i);
        return;
    }
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    pool.reserve(size_t(t));
    for (int k = 0; k < t; ++k)
        pool.emplace_back([&] {
            for (int i = next++; i < n; i = next++)
                fn(i);
        });
    for (auto &th : pool)
        th.join();
}

} // namespace graft::vision
