#include "graft/core/Runtime.h"

#include <ATen/Parallel.h>

#include <malloc.h>
#include <thread>

namespace graft::core {

int hardwareThreads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

int setComputeThreads(int threads)
{
    const int n = threads > 0 ? threads : hardwareThreads();
    at::set_num_threads(n);
    return at::get_num_threads();
}

void initRuntime(int threads)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, static_cast<int>(1 << 30)); // int-typed: 1 GiB is the practical max
    mallopt(M_TOP_PAD, static_cast<int>(256 << 20));
#endif
    setComputeThreads(threads);
}

} // namespace graft::core
