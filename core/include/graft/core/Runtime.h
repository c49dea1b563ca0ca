#pragma once

namespace graft::core {

/// Process-wide runtime tuning, called once at the top of main() before any tensor work.
/// - glibc malloc: no mmap for big buffers, no trimming (LibTorch otherwise maps and unmaps
///   its buffers every iteration; measured 4-20x slower forward passes on this VM).
/// - LibTorch intra-op threads: `threads` (0 = number of cores; LibTorch alone picks 1 here).
void initRuntime(int threads = 0);

/// Sets LibTorch's intra-op thread count (0 = number of cores). Returns the count in force.
int setComputeThreads(int threads);

/// Number of hardware threads, at least 1.
int hardwareThreads();

} // namespace graft::core
