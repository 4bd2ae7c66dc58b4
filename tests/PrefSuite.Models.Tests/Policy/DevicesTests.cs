using PrefSuite.Models.Policy;
using TorchSharp;
using static TorchSharp.torch;

namespace PrefSuite.Models.Tests.Policy;

public sealed class DevicesTests
{
    [Fact]
    public void TheSettingChoosesTheDeviceAndABadOneIsNamed()
    {
        Assert.Equal(DeviceType.CPU, Devices.FromSetting("cpu").type);
        Assert.Equal(DeviceType.CPU, Devices.FromSetting(" CPU ").type);
        var auto = cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(auto, Devices.FromSetting(null).type);
        Assert.Equal(auto, Devices.FromSetting("auto").type);

        var bad = Assert.Throws<FormatException>(() => Devices.FromSetting("gpu"));
        Assert.Contains("PREFSUITE_DEVICE", bad.Message, StringComparison.Ordinal);
        Assert.Contains("'gpu'", bad.Message, StringComparison.Ordinal);
        if (!cuda.is_available())
        {
            var missing = Assert.Throws<InvalidOperationException>(() => Devices.FromSetting("cuda"));
            Assert.Contains("no usable GPU", missing.Message, StringComparison.Ordinal);
        }
    }
}
