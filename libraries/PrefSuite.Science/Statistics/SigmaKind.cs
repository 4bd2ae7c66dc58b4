namespace PrefSuite.Science.Statistics;

/// <summary>Which standard deviation describes a prompt's rewards.</summary>
public enum SigmaKind
{
    /// <summary>Divide by N (the default of SCIENCE.md §2).</summary>
    Population,

    /// <summary>Divide by N − 1 (Bessel's correction).</summary>
    Sample,
}
