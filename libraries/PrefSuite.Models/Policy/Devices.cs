using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>Device choice: CUDA when this build carries it and a GPU answers, otherwise CPU.</summary>
public static class Devices
{
    /// <summary>"auto" (default), "cpu" or "cuda".</summary>
    public static Device Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" => Default(),
        "cpu" => CPU,
        "cuda" => cuda.is_available() ? CUDA : throw new InvalidOperationException("CUDA was asked for, but this build or machine has no usable GPU (build with -p:PrefSuiteAccelerator=cuda on a machine with CUDA)."),
        _ => throw new FormatException($"'{name}' is not a device; use auto, cpu or cuda."),
    };

    public static Device Default() => cuda.is_available() ? CUDA : CPU;
}
