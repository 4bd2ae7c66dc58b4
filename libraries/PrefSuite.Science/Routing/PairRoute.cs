namespace PrefSuite.Science.Routing;

/// <summary>Which loss a pair is trained with (SCIENCE.md §6).</summary>
public enum PairRoute
{
    /// <summary>A preference loss on (chosen, rejected).</summary>
    Dpo,

    /// <summary>SFT on the chosen only: small-margin pairs are routed here instead of dropped.</summary>
    Sft,
}
