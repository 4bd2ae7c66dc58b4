/*
 * oneMKL (linked into libtorch's CPU library) asks this function whether the CPU is an Intel one, and on any other
 * vendor runs its generic kernels: on an AMD EPYC with AVX-512, libtorch's float32 GEMM runs at a third of the speed
 * of MKL's AVX-512 kernels (docs/benchmarks.md). Loaded into the process's global symbol scope before libtorch, this
 * definition is the one libtorch's call binds to, so MKL picks its kernels by the CPU's features alone, as it does on
 * Intel. MklKernelDispatch.cs loads it; build.sh builds it.
 */
int mkl_serv_intel_cpu_true(void)
{
    return 1;
}
