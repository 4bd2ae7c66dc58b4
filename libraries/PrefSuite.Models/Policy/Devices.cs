using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// Device choice: CUDA when the loaded libtorch has it and a GPU answers, otherwise CPU. The environment variable
/// <see cref="EnvironmentVariable"/> (auto, cpu or cuda) overrides it for every policy a process loads — the CLI and
/// the services alike.
/// </summary>
public static class Devices
{
    public const string EnvironmentVariable = "PREFSUITE_DEVICE";

    /// <summary>"auto", "cpu" or "cuda".</summary>
    public static Device Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "auto" => Auto(),
            "cpu" => CPU,
            "cuda" => cuda.is_available() ? CUDA : throw new InvalidOperationException("CUDA was asked for, but no usable GPU answers: this build carries CPU libtorch (build with -p:PrefSuiteAccelerator=cuda), or the machine has no GPU."),
            _ => throw new FormatException($"'{name}' is not a device; use auto, cpu or cuda."),
        };
    }

    /// <summary>The device <see cref="EnvironmentVariable"/> names, or <c>auto</c> when it is unset.</summary>
    public static Device Default() => FromSetting(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The device a setting names (null or empty: auto); a bad setting's error names the variable.</summary>
    public static Device FromSetting(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return Auto();
        }

        try
        {
            return Parse(setting);
        }
        catch (FormatException failure)
        {
            throw new FormatException($"{EnvironmentVariable}: {failure.Message}", failure);
        }
    }

    private static Device Auto() => cuda.is_available() ? CUDA : CPU;
}
