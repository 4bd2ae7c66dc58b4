using PrefSuite.Models.Demo;
using PrefSuite.Science.Demo;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Models.Training;

/// <summary>An endless stream of SFT demonstrations whose position can be saved and restored.</summary>
public interface IDemonstrationSource
{
    /// <summary>Identifies the data, for checkpoints: a resumed run must read the same stream.</summary>
    string Identity { get; }

    ulong State { get; }

    void Restore(ulong state);

    (string Prompt, string Response) Draw();
}

/// <summary>Fresh noisy demonstrations of the demo task (the standard shape unless another is given), drawn from a seed.</summary>
public sealed class NoisySortingSource(ulong seed, SortingTaskShape? shape = null) : IDemonstrationSource
{
    private NoisySortingCorpus _corpus = new(seed, shape);

    public string Identity => shape is null || shape == SortingTaskShape.Standard ? $"noisy-sorting:{seed}" : $"noisy-{shape.Name}:{seed}";

    public ulong State => _corpus.State.State;

    public void Restore(ulong state) => _corpus = new NoisySortingCorpus(new SplitMix64(state), shape);

    public (string Prompt, string Response) Draw() => _corpus.Next();
}

/// <summary>Demonstrations drawn uniformly at random (seeded) from a fixed list, e.g. a JSONL corpus.</summary>
public sealed class ListDemonstrationSource : IDemonstrationSource
{
    private readonly IReadOnlyList<(string Prompt, string Response)> _items;
    private SplitMix64 _random;

    public ListDemonstrationSource(IReadOnlyList<(string Prompt, string Response)> items, string identity, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            throw new ArgumentException("The SFT corpus is empty.", nameof(items));
        }

        _items = items;
        Identity = identity;
        _random = new SplitMix64(seed);
    }

    public string Identity { get; }

    public ulong State => _random.State;

    public void Restore(ulong state) => _random = new SplitMix64(state);

    public (string Prompt, string Response) Draw() => _items[_random.NextInt(_items.Count)];
}
