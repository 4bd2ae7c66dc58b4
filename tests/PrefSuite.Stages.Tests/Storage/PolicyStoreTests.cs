using PrefSuite.Models.Policy;
using PrefSuite.Stages.Storage;

namespace PrefSuite.Stages.Tests.Storage;

public class PolicyStoreTests
{
    [Fact]
    public async Task AFolderOutsideTheAllowListIsRefusedAlikeWhetherItExistsOrNot()
    {
        using var temp = new TempStore();
        var outside = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "prefsuite-outside-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2, Context = 32 }, 1))
            {
                policy.Save(outside, "init");
            }

            using var remote = new PolicyStore(temp.Store);
            var existing = await Assert.ThrowsAsync<KeyNotFoundException>(() => remote.ResolveFolderAsync(outside));
            var missing = await Assert.ThrowsAsync<KeyNotFoundException>(() => remote.ResolveFolderAsync(outside + "-missing"));
            var system = await Assert.ThrowsAsync<KeyNotFoundException>(() => remote.ResolveFolderAsync("/etc"));
            var climbing = await Assert.ThrowsAsync<KeyNotFoundException>(() => remote.ResolveFolderAsync("../../etc"));

            // The same answer for a folder that exists and one that does not: nothing to learn about the host.
            Assert.Equal(existing.Message.Replace(outside, "X", StringComparison.Ordinal), missing.Message.Replace(outside + "-missing", "X", StringComparison.Ordinal));
            Assert.DoesNotContain(temp.Store.Root, system.Message, StringComparison.Ordinal);
            Assert.Contains("../../etc", climbing.Message, StringComparison.Ordinal);

            // The folder a user named (or an operator allowed) loads.
            using var local = PolicyStore.ForCommandLine(temp.Store, outside);
            Assert.Equal(outside, await local.ResolveFolderAsync(outside));
            using var parent = new PolicyStore(temp.Store, allowedFolders: [Path.GetDirectoryName(outside)!]);
            Assert.Equal(outside, await parent.ResolveFolderAsync(outside));
            await Assert.ThrowsAsync<KeyNotFoundException>(() => parent.ResolveFolderAsync(outside + "/../../etc"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }
}
