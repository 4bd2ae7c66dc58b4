namespace PrefSuite.Science.Losses;

/// <summary>The DPO family of SCIENCE.md §1, by the names the CLI and protos use.</summary>
public enum LossKind
{
    /// <summary>−log σ(β·h): DPO.</summary>
    Sigmoid,

    /// <summary>(h − 1/(2β))².</summary>
    Ipo,

    /// <summary>max(0, 1 − β·h).</summary>
    Hinge,

    /// <summary>Conservative DPO for label noise ε: [−(1−ε)·log σ(β·h) + ε·log σ(−β·h)] / (1−2ε).</summary>
    Robust,

    /// <summary>DPO with an offset: −log σ(β·h − α·log(r_w − r_l)); needs r_w &gt; r_l.</summary>
    Odpo,

    /// <summary>Rating-gap DPO: −log σ(β·h − β·Δr/β₁).</summary>
    Rdpo,

    /// <summary>Maximum-likelihood rating DPO: −log σ(β·h) + λ·(β·h − Δr/β₁)².</summary>
    MlRdpo,

    /// <summary>Token-mean NLL of the chosen response.</summary>
    Sft,
}

/// <summary>One weighted term of a combined loss (TRL's RPO is sigmoid + sft).</summary>
public sealed record LossTerm(LossKind Kind, double Weight = 1.0)
{
    public static string NameOf(LossKind kind) => kind switch
    {
        LossKind.MlRdpo => "ml-rdpo",
        _ => kind.ToString().ToLowerInvariant(),
    };

    public static LossKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "sigmoid" or "dpo" => LossKind.Sigmoid,
        "ipo" => LossKind.Ipo,
        "hinge" => LossKind.Hinge,
        "robust" => LossKind.Robust,
        "odpo" => LossKind.Odpo,
        "rdpo" => LossKind.Rdpo,
        "ml-rdpo" => LossKind.MlRdpo,
        "sft" => LossKind.Sft,
        _ => throw new FormatException($"'{name}' is not a loss; use sigmoid, ipo, hinge, robust, odpo, rdpo, ml-rdpo or sft."),
    };

    /// <summary>
    /// Parses "sigmoid" or "sigmoid:1,sft:0.5"; a term without a weight weighs 1, and 0 is a weight like any other (the
    /// term contributes nothing). A negative, non-finite or unreadable weight is refused.
    /// </summary>
    public static IReadOnlyList<LossTerm> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':', 2);
            var weight = 1.0;
            if (pieces.Length == 2 && !(double.TryParse(pieces[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out weight) && double.IsFinite(weight) && weight >= 0))
            {
                throw new FormatException($"'{part}': a loss weight must be a number at least 0, got '{pieces[1]}'.");
            }

            return new LossTerm(ParseKind(pieces[0]), weight);
        }).ToArray();
    }
}
