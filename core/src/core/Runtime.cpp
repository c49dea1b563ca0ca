#include "graft/core/Runtime.h"

#include <ATen/Parallel.h>
#include <torch/csrc/jit/python/update_graph_executor_opt.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>

namespace graft::core {

int hardwareThreads()
{
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int setComputeThreads(int threads)
{
    at::set_num_threads(threads > 0 ? threads : hardwareThreads());
    return at::get_num_threads();
}

void initRuntime(int threads)
{
#ifdef __GLIBC__
    // glibc's defaults return freed memory to the kernel and hand big blocks to mmap, so every
    // forward pass page-faults its activations in again (4-20x slower, shared/PERFORMANCE.md).
    // Keep freed memory in the heap instead, and grow it in large steps.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
    mallopt(M_TOP_PAD, static_cast<int>(256 << 20));
    if (std::getenv("GRAFT_NO_HUGEPAGES") == nullptr) {
        // Ask for transparent huge pages on the heap (the kernel's "madvise" mode, Debian's
        // default): reserve address space (untouched, so no memory is used), advise it, and
        // give it back to malloc, which keeps it as its top chunk. First-touch page faults
        // during a MobileNetV2 feature pass drop from ~90k to a few thousand (~0.3 s of 5 s).
        constexpr std::size_t kReserve = std::size_t(1) << 30;
        if (void *p = std::malloc(kReserve)) {
            constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
            const std::uintptr_t begin =
                (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
            std::free(p);
            const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHuge - 1);
            if (end > begin)
                madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
        }
    }
#endif
    setComputeThreads(threads);
    // Graft runs TorchScript for exports and the text classifier's forward: the profiling
    // executor's first two calls cost ~0.6 s for MobileNetV2 and its CPU fusions gain nothing.
    torch::jit::getProfilingMode() = false;
    torch::jit::setGraphExecutorOptimize(false);
}

} // namespace graft::core
