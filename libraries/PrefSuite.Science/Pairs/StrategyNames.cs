namespace PrefSuite.Science.Pairs;

/// <summary>The stable strategy names of SCIENCE.md §2.</summary>
public static class StrategyNames
{
    public const string SweetSpot = "sweet-spot";
    public const string MaxMin = "max-min";
    public const string Position = "position";
    public const string MaxMinOfKRandom = "max-min-of-k-random";
    public const string Random = "random";

    public static IReadOnlyList<string> All { get; } = [SweetSpot, MaxMin, Position, MaxMinOfKRandom, Random];
}
