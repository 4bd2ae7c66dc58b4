using System.Globalization;

namespace PrefSuite.Science.Augmentation;

/// <summary>A score range mapped linearly onto the 1–10 scale of the goal prompt (SCIENCE.md §4).</summary>
public readonly record struct ScoreScale(double Min, double Max)
{
    public static ScoreScale OneToTen { get; } = new(1, 10);

    /// <summary>Whether <paramref name="score"/> lies on this scale, bounds included.</summary>
    public bool Contains(double score) => score >= Min && score <= Max;

    /// <summary>
    /// Maps a score on this scale to 1–10: 1 + 9·(s − min)/(max − min). A score outside the scale is refused: it would
    /// state a goal outside 1–10 ("Overall score: 0.87" for a 0–1 score read on the default 1:10 scale), which the
    /// goal prompt's own wording rules out; the scale was declared wrong.
    /// </summary>
    public double ToOneToTen(double score)
    {
        if (!double.IsFinite(score))
        {
            throw new ArgumentException($"The score {score} is not a finite number.", nameof(score));
        }

        if (!(Max > Min))
        {
            throw new InvalidOperationException($"The scale {this} is empty; its maximum must exceed its minimum.");
        }

        if (!Contains(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score,
                string.Create(CultureInfo.InvariantCulture, $"The score {score:R} lies outside the declared scale {this}; declare the scale the scores are on (e.g. --scale 0:1)."));
        }

        return 1 + (9 * (score - Min) / (Max - Min));
    }

    /// <summary>Parses "MIN:MAX", e.g. "0:1" or "1:5".</summary>
    public static ScoreScale Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length == 2 &&
            double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min) &&
            double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max) &&
            double.IsFinite(min) && double.IsFinite(max) && max > min)
        {
            return new ScoreScale(min, max);
        }

        throw new FormatException($"'{text}' is not a score scale; write MIN:MAX with MIN < MAX, such as 0:1.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min}:{Max}");
}
