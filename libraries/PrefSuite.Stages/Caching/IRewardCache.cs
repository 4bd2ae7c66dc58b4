namespace PrefSuite.Stages.Caching;

/// <summary>
/// A cache of reward vectors keyed by content hash (scorer id + version + prompt + response). A cache only: a miss or
/// an outage means recomputation, never a wrong or lost result.
/// </summary>
public interface IRewardCache
{
    /// <summary>The cached values in key order, null where missing (or when the cache cannot be reached).</summary>
    Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Stores values; failures are swallowed with a warning by implementations that can fail.</summary>
    Task SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> entries, CancellationToken cancellationToken = default);
}

/// <summary>No cache: every lookup misses.</summary>
public sealed class NoRewardCache : IRewardCache
{
    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        Task.FromResult(new byte[]?[keys.Count]);

    public Task SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> entries, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>An in-process cache for the embedded pipeline and tests.</summary>
public sealed class MemoryRewardCache : IRewardCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public Task<byte[]?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        Task.FromResult(keys.Select(k => _values.TryGetValue(k, out var v) ? v : null).ToArray());

    public Task SetManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> entries, CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in entries)
        {
            _values[key] = value;
        }

        return Task.CompletedTask;
    }
}
