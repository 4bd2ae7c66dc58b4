using System.Collections.Concurrent;

namespace PrefSuite.Models.Rewards;

/// <summary>
/// The registry of programmatic rewards by name. "sorting" (the demo's ground truth) is built in; applications add
/// their own with <see cref="Register"/>.
/// </summary>
public static class ProgrammaticRewards
{
    private static readonly ConcurrentDictionary<string, IProgrammaticReward> Registered = new(StringComparer.Ordinal)
    {
        ["sorting"] = new SortingReward(),
    };

    public static IReadOnlyCollection<string> Names => [.. Registered.Keys.Order(StringComparer.Ordinal)];

    public static void Register(IProgrammaticReward reward)
    {
        ArgumentNullException.ThrowIfNull(reward);
        Registered[reward.Name] = reward;
    }

    public static IProgrammaticReward Get(string name) => Registered.TryGetValue(name, out var reward)
        ? reward
        : throw new KeyNotFoundException($"No programmatic reward named '{name}'; registered: {string.Join(", ", Names)}.");
}
