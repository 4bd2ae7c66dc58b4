using TorchSharp;

namespace PrefSuite.Cli.Tests;

public sealed class InfoCommandTests
{
    [Fact]
    public async Task InfoNamesThePolicyDeviceMklsKernelPathAndOnnxProviders()
    {
        using var cli = new CliHarness();
        var (code, output, error) = await cli.RunAsync("info");
        Assert.True(code == 0, error + output);
        var expected = torch.cuda.is_available() ? "policy device: cuda" : "policy device: cpu";
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("CPUExecutionProvider", output, StringComparison.Ordinal);
        Assert.Contains($"{Environment.ProcessorCount} cores", output, StringComparison.Ordinal);
        Assert.Contains(PrefSuite.Models.Native.MklKernelDispatch.Status, output, StringComparison.Ordinal);
    }
}
