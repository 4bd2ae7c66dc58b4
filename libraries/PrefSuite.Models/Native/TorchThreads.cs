namespace PrefSuite.Models.Native;

/// <summary>The one place hosts set libtorch's thread count, so that MKL's kernel choice is made before libtorch loads.</summary>
public static class TorchThreads
{
    /// <summary>Applies <see cref="MklKernelDispatch"/>, then sets libtorch's intra-op threads.</summary>
    public static void Set(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        MklKernelDispatch.Apply();
        TorchSharp.torch.set_num_threads(threads);
    }
}
