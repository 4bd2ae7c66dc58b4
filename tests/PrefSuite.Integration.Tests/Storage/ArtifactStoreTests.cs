using PrefSuite.Integration.Tests.Infrastructure;
using PrefSuite.Models.Policy;
using PrefSuite.Stages.Storage;
using PrefSuite.Storage;
using PrefSuite.Workflow;
using PrefSuite.Workflow.Ledger;

namespace PrefSuite.Integration.Tests.Storage;

/// <summary>One contract, two stores: the filesystem and Azure Blob Storage (a real Azurite, not a fake).</summary>
[Collection("servers")]
public sealed class ArtifactStoreTests(Servers servers) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "prefsuite-store-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _container = "t" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return Task.CompletedTask;
    }

    private async Task<IArtifactStore> StoreAsync(string kind) => kind == "blob"
        ? await AzureBlobArtifactStore.CreateAsync(servers.Artifacts, _container)
        : new FileArtifactStore(_folder);

    [Theory]
    [InlineData("file")]
    [InlineData("blob")]
    public async Task ArtifactsAreWrittenReadListedAndDeletedByRelativePath(string kind)
    {
        var store = await StoreAsync(kind);
        await store.WriteAsync("runs/a/spec.pb", "one"u8.ToArray());
        await store.WriteAsync("runs/a/selected/p1.pb", "p1"u8.ToArray());
        await store.WriteAsync("runs/a/selected/p2.pb", (stream, ct) => stream.WriteAsync("p2"u8.ToArray(), ct).AsTask());
        await store.WriteAsync("runs/b/spec.pb", "two"u8.ToArray());
        await store.WriteAsync("runs/a/spec.pb", "three"u8.ToArray()); // overwritten whole

        Assert.Equal("three"u8.ToArray(), await store.ReadAsync("runs/a/spec.pb"));
        Assert.Null(await store.ReadAsync("runs/a/missing.pb"));
        Assert.Null(await store.OpenReadAsync("runs/a/missing.pb"));
        await using (var stream = (await store.OpenReadAsync("runs/a/selected/p2.pb"))!)
        using (var reader = new StreamReader(stream))
        {
            Assert.Equal("p2", await reader.ReadToEndAsync());
        }

        Assert.Equal(["runs/a", "runs/b"], await store.ListAsync("runs").ToListAsync());
        Assert.Equal(["runs/a/selected", "runs/a/spec.pb"], await store.ListAsync("runs/a").ToListAsync());
        Assert.Equal(["runs/a/selected/p1.pb", "runs/a/selected/p2.pb", "runs/a/spec.pb"], await store.ListAsync("runs/a", recursive: true).ToListAsync());
        Assert.Empty(await store.ListAsync("nothing/here").ToListAsync());
        Assert.True(await store.ExistsAsync("runs/a"));
        Assert.True(await store.ExistsAsync("runs/a/spec.pb"));
        Assert.False(await store.ExistsAsync("runs/c"));

        await store.DeleteAsync("runs/a");
        Assert.False(await store.ExistsAsync("runs/a/selected/p1.pb"));
        Assert.Equal(["runs/b"], await store.ListAsync("runs").ToListAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => store.ReadAsync("runs/../../etc/passwd"));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("blob")]
    public async Task AWriterThatFailsLeavesTheOldContentAndAppendsAccumulate(string kind)
    {
        var store = await StoreAsync(kind);
        await store.WriteAsync("x/data.jsonl", "old"u8.ToArray());
        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("x/data.jsonl", async (stream, ct) =>
        {
            await stream.WriteAsync("half of the new"u8.ToArray(), ct);
            throw new IOException("disk full");
        }));
        Assert.Equal("old"u8.ToArray(), await store.ReadAsync("x/data.jsonl"));

        await store.AppendAsync("x/log", "a"u8.ToArray());
        await store.AppendAsync("x/log", "bc"u8.ToArray());
        Assert.Equal("abc"u8.ToArray(), await store.ReadAsync("x/log"));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("blob")]
    public async Task ARunLedgerReplaysFromEitherStore(string kind)
    {
        var store = await StoreAsync(kind);
        var ledger = RunLedger.Create(store, "r");
        await ledger.AppendAsync([new LedgerRecord { Dispatched = new Dispatched { UpTo = 1 } }, new LedgerRecord { Dispatched = new Dispatched { UpTo = 2 } }]);
        var (reopened, records) = await RunLedger.OpenAsync(store, "r");
        await reopened.AppendAsync(new LedgerRecord { Dispatched = new Dispatched { UpTo = 3 } });
        Assert.Equal([1, 2], records.Select(r => r.Dispatched.UpTo));
        Assert.Equal([1, 2, 3], (await RunLedger.OpenAsync(store, "r")).Records.Select(r => r.Dispatched.UpTo));
    }

    [Fact]
    public async Task APolicyRegisteredInBlobStorageIsDownloadedWhereNoCopyExists()
    {
        var store = await StoreAsync("blob");
        string version;
        using (var writer = new PolicyStore(store, Path.Combine(_folder, "cache-a")))
        using (var policy = PolicyModel.Create(new PolicyConfig { Layers = 1, Width = 16, Heads = 2, Context = 32 }, 3))
        {
            version = await writer.RegisterAsync(policy, "init");
            await writer.SetAliasAsync(JobIds.DefaultPolicyAlias, version);
        }

        Assert.True(await store.ExistsAsync(ArtifactPaths.Policy(version)));
        using var reader = new PolicyStore(store, Path.Combine(_folder, "cache-b")); // another machine: an empty cache
        var folder = await reader.ResolveFolderAsync("default");
        Assert.StartsWith(Path.Combine(_folder, "cache-b"), folder, StringComparison.Ordinal);
        Assert.Equal(version, (await reader.GetAsync("default")).Version[..12]);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => reader.ResolveFolderAsync("no-such-version"));
    }
}
