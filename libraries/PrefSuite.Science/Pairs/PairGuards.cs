namespace PrefSuite.Science.Pairs;

internal static class PairGuards
{
    public static void CheckRewards(ReadOnlySpan<double> rewards)
    {
        if (rewards.Length < 2)
        {
            throw new ArgumentException($"A pair needs at least two responses; this prompt has {rewards.Length}.", nameof(rewards));
        }
    }
}
