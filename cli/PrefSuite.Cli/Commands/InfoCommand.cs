using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PrefSuite.Models.Policy;
using static TorchSharp.torch;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite info</c>: what this machine and build give PrefSuite — runtime, cores, the policy's device, ONNX Runtime's providers.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", $"Show the runtime, the device policies will use ({Devices.EnvironmentVariable} overrides it) and ONNX Runtime's providers.");
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            await stdout.WriteLineAsync($"prefsuite {typeof(InfoCommand).Assembly.GetName().Version} on .NET {Environment.Version}, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {Environment.ProcessorCount} cores").ConfigureAwait(false);
            Models.Native.MklKernelDispatch.Apply();
            var available = cuda.is_available();
            await stdout.WriteLineAsync($"libtorch: CUDA {(available ? $"available, {cuda.device_count()} device(s)" : "not available")}").ConfigureAwait(false);
            var setting = Environment.GetEnvironmentVariable(Devices.EnvironmentVariable);
            await stdout.WriteLineAsync($"policy device: {Devices.Default().type.ToString().ToLowerInvariant()} ({Devices.EnvironmentVariable}={(string.IsNullOrWhiteSpace(setting) ? "unset, auto" : setting)})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"{Models.Native.MklKernelDispatch.Status} ({Models.Native.MklKernelDispatch.EnvironmentVariable}=0 keeps MKL's own choice)").ConfigureAwait(false);
            await stdout.WriteLineAsync($"ONNX Runtime providers: {OnnxProviders()}").ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The providers the loaded ONNX Runtime offers; where its native library cannot load, why.</summary>
    private static string OnnxProviders()
    {
        try
        {
            return string.Join(", ", OrtEnv.Instance().GetAvailableProviders());
        }
        catch (Exception failure) when (failure is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            return $"not loadable here ({failure.GetBaseException().Message.Split('\n')[0].Trim()})";
        }
    }
}
