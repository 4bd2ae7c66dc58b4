using System.Text.Json;

namespace PrefSuite.Data.Formats;

/// <summary>
/// The schema of a pair file, the same in JSONL and Parquet: every column in every row, null when a pair has no value,
/// scores always floats. TRL reads prompt/chosen/rejected (DPOTrainer) and ignores the rest; the margin is
/// "score_margin" so that RewardTrainer, which subtracts a column named "margin" in its loss, does not pick it up.
/// </summary>
public static class PairColumns
{
    /// <summary>The columns in file order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "prompt_id", "prompt", "chosen", "rejected", "score_chosen", "score_rejected", "score_margin", "route", "strategy",
        "chosen_position", "rejected_position", "chosen_index", "rejected_index", "fallback", "implicit_margin",
        "p_external", "p_implicit", "probability", "goal", "swapped",
    ];

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void WriteTail(Utf8JsonWriter writer, in PairTail tail)
    {
        JsonFloat.Write(writer, "score_chosen"u8, tail.ScoreChosen);
        JsonFloat.Write(writer, "score_rejected"u8, tail.ScoreRejected);
        JsonFloat.Write(writer, "score_margin"u8, tail.Margin);
        WriteString(writer, "route"u8, tail.Route);
        WriteString(writer, "strategy"u8, tail.Strategy);
        WriteString(writer, "chosen_position"u8, tail.ChosenPosition);
        WriteString(writer, "rejected_position"u8, tail.RejectedPosition);
        WriteInt(writer, "chosen_index"u8, tail.ChosenIndex);
        WriteInt(writer, "rejected_index"u8, tail.RejectedIndex);
        WriteString(writer, "fallback"u8, tail.Fallback);
        JsonFloat.Write(writer, "implicit_margin"u8, tail.ImplicitMargin);
        JsonFloat.Write(writer, "p_external"u8, tail.ProbabilityExternal);
        JsonFloat.Write(writer, "p_implicit"u8, tail.ProbabilityImplicit);
        JsonFloat.Write(writer, "probability"u8, tail.Probability);
        JsonFloat.Write(writer, "goal"u8, tail.Goal);
        if (tail.Swapped is { } swapped)
        {
            writer.WriteBoolean("swapped"u8, swapped);
        }
        else
        {
            writer.WriteNull("swapped"u8);
        }
    }

    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteInt(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
