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
/// The built-in demo task (DEMO-TASK.md): sort 4–8 digits. Prompts come from a seed; the ground-truth reward is
/// 1 − edit distance / max(target length, response length), floored at 0, 0 for an empty response, halved for a
/// response that never ended (no EOS).
/// </summary>
public static class SortingTask
{
    public const int MinDigits = 4;
    public const int MaxDigits = 8;

    /// <summary><paramref name="count"/> prompts drawn from <paramref name="seed"/>, ids "sort-{seed}-{index}".</summary>
    public static IReadOnlyList<SortingPrompt> Prompts(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var prompts = new SortingPrompt[count];
        for (var i = 0; i < count; i++)
        {
            var digits = new int[MinDigits + rng.NextInt(MaxDigits - MinDigits + 1)];
            for (var d = 0; d < digits.Length; d++)
            {
                digits[d] = rng.NextInt(10);
            }

            prompts[i] = new SortingPrompt(string.Create(CultureInfo.InvariantCulture, $"sort-{seed}-{i}"), "sort " + string.Join(' ', digits) + " =", digits);
        }

        return prompts;
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
