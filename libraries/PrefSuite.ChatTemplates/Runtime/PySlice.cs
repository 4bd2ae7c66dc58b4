namespace PrefSuite.ChatTemplates.Runtime;

/// <summary>The slice object <c>x[start:stop:step]</c> passes to getitem.</summary>
internal sealed record PySlice(object? Start, object? Stop, object? Step);
