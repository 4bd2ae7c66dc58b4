using PrefSuite.Data.Formats;

namespace PrefSuite.Data.Selection;

/// <summary>The selected pair rows, in output order, and the funnel that produced them.</summary>
public sealed record PairSelectionOutcome(IReadOnlyList<PairRow> Rows, SelectionSummary Summary);
