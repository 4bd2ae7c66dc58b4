using System.Globalization;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Demo;

/// <summary>One prompt of the demo task: its id, text ("sort 3 1 2 =") and digits.</summary>
public sealed record SortingPrompt(string Id, string Text, int[] Digits)
{
    public int[] Target => [.. Digits.Order()];

    public string TargetText => string.Join(' ', Target);
}

/// <summary>
/// How long the demo task's lists are. <see cref="Standard"/> is DEMO-TASK.md's 4–8 digits; <see cref="LongLists"/> (8–12
/// digits) is the harder variant: the same 154k-parameter policy and SFT budget make more mistakes on it, so a prompt's
/// samples spread wider and its worst samples (echoes, truncations, runaway digits) sit further below the rest.
/// </summary>
/// <param name="Name">The name used on the command line and in reports.</param>
/// <param name="MinDigits">The shortest list.</param>
/// <param name="MaxDigits">The longest list.</param>
public sealed record SortingTaskShape(string Name, int MinDigits, int MaxDigits)
{
    public static SortingTaskShape Standard { get; } = new("sorting", 4, 8);

    public static SortingTaskShape LongLists { get; } = new("sorting-long", 8, 12);

    /// <summary>Enough new tokens for the longest sorted list, EOS and one extra token (10 for the standard task).</summary>
    public int MaxNewTokens => MaxDigits + 2;

    public static SortingTaskShape Parse(string name) => name switch
    {
        "sorting" => Standard,
        "sorting-long" => LongLists,
        _ => throw new FormatException($"'{name}' is not a demo task; use sorting (4–8 digits) or sorting-long (8–12 digits)."),
    };
}

/// <summary>
/// The built-in demo task (DEMO-TASK.md): sort 4–8 digits (or another <see cref="SortingTaskShape"/>). Prompts come from a seed; the ground-truth reward is
/// 1 − edit distance / max(target length, response length), floored at 0, 0 for an empty response, halved for a
/// response that never ended (no EOS).
/// </summary>
public static class SortingTask
{
    public const int MinDigits = 4;
    public const int MaxDigits = 8;

    /// <summary><paramref name="count"/> prompts drawn from <paramref name="seed"/>, ids "sort-{seed}-{index}".</summary>
    public static IReadOnlyList<SortingPrompt> Prompts(int count, ulong seed) => Prompts(count, seed, SortingTaskShape.Standard);

    /// <summary><paramref name="count"/> prompts of the given shape drawn from <paramref name="seed"/>, ids "sort-{seed}-{index}".</summary>
    public static IReadOnlyList<SortingPrompt> Prompts(int count, ulong seed, SortingTaskShape shape) => [.. Generate(count, seed, shape)];

    /// <summary>
    /// The same prompts as <see cref="Prompts(int, ulong, SortingTaskShape)"/>, made one at a time as they are read: a
    /// million-prompt demo run streams them to its store without holding them.
    /// </summary>
    public static IEnumerable<SortingPrompt> Generate(int count, ulong seed, SortingTaskShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return GenerateIterator(count, seed, shape);
    }

    private static IEnumerable<SortingPrompt> GenerateIterator(int count, ulong seed, SortingTaskShape shape)
    {
        var rng = new SplitMix64(seed);
        for (var i = 0; i < count; i++)
        {
            var digits = new int[shape.MinDigits + rng.NextInt(shape.MaxDigits - shape.MinDigits + 1)];
            for (var d = 0; d < digits.Length; d++)
            {
                digits[d] = rng.NextInt(10);
            }

            yield return new SortingPrompt(string.Create(CultureInfo.InvariantCulture, $"sort-{seed}-{i}"), "sort " + string.Join(' ', digits) + " =", digits);
        }
    }

    /// <summary>Reads the digits back from a prompt text such as "sort 3 1 2 =".</summary>
    public static int[] ParseDigits(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var words = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3 || words[0] != "sort" || words[^1] != "=" || words[1..^1].Any(w => w.Length != 1 || !char.IsAsciiDigit(w[0])))
        {
            throw new FormatException($"'{prompt}' is not a sorting prompt ('sort d1 … dk =').");
        }

        return words[1..^1].Select(w => w[0] - '0').ToArray();
    }

    /// <summary>The ground-truth reward of a response text for a prompt.</summary>
    /// <param name="ended">Whether the response ended with EOS; an unfinished response gets half its score.</param>
    public static double Reward(string prompt, string response, bool ended = true)
    {
        var target = ParseDigits(prompt).Order().ToArray();
        var tokens = response.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            return 0;
        }

        var targetTokens = target.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray();
        var distance = EditDistance(tokens, targetTokens);
        var score = Math.Max(0, 1 - ((double)distance / Math.Max(targetTokens.Length, tokens.Length)));
        return ended ? score : score / 2;
    }

    /// <summary>Whether the response is exactly the sorted digits.</summary>
    public static bool IsExact(string prompt, string response, bool ended = true) =>
        ended && response.Split(' ', StringSplitOptions.RemoveEmptyEntries).SequenceEqual(ParseDigits(prompt).Order().Select(d => d.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Levenshtein distance between token sequences.</summary>
    public static int EditDistance(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var j = 0; j <= b.Count; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Count; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }
}
