using System.Runtime.InteropServices;
using PrefSuite.Data.Files;
using PrefSuite.Data.Rows;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Finds, once a stream of rows has gone by, every row whose prompt id an earlier row has: exact, in memory that does not
/// grow with the rows (<see cref="ExternalSort{T}"/>). Each row leaves its id's hash and its number; sorted by both, a
/// row repeats an id when it is not the first of its hash. For callers that can name a repeat after the stream (the
/// position strategies pick pairs without a seed); <see cref="IdSet"/> answers at once for those that cannot.
/// </summary>
internal sealed class RepeatedIds : IDisposable
{
    private readonly ExternalSort<SeenId> _seen;
    private readonly string? _folder;

    public RepeatedIds(string? folder = null, int? bufferRecords = null)
    {
        _folder = folder;
        _seen = new ExternalSort<SeenId>(folder, Comparer<SeenId>.Create(static (a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : a.Number.CompareTo(b.Number)), bufferRecords);
    }

    /// <summary>Run files written so far (for tests and figures).</summary>
    public int RunFiles => _seen.RunFiles;

    /// <summary>Row <paramref name="number"/> (0-based, in stream order) has the id of hash <paramref name="hash"/>; <paramref name="renamable"/>: a repeat of it is renamed, not an error.</summary>
    public void Add(ulong hash, int number, RowLocation location, bool renamable) =>
        _seen.Add(new SeenId(hash, number, location, renamable));

    /// <summary>
    /// Every repeat in row order, each with the first row of its id; once, after the last <see cref="Add"/>. A repeat is
    /// of the id the row brought, not of one a rename gave an earlier row.
    /// </summary>
    public IEnumerable<(SeenId First, SeenId Repeat)> InRowOrder()
    {
        ExternalSort<(SeenId First, SeenId Repeat)>? repeats = null; // made at the first repeat: most datasets have none
        try
        {
            SeenId first = default;
            var any = false;
            foreach (var seen in _seen.Sorted())
            {
                if (any && seen.Hash == first.Hash)
                {
                    repeats ??= new(_folder, Comparer<(SeenId First, SeenId Repeat)>.Create(static (a, b) => a.Repeat.Number.CompareTo(b.Repeat.Number)));
                    repeats.Add((first, seen));
                }
                else
                {
                    first = seen;
                    any = true;
                }
            }

            foreach (var repeat in repeats?.Sorted() ?? [])
            {
                yield return repeat;
            }
        }
        finally
        {
            repeats?.Dispose();
        }
    }

    public void Dispose() => _seen.Dispose();
}

/// <summary>A row's id hash, number and place in its file; <see cref="Renamable"/>: a repeat of it is renamed, not an error.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal readonly record struct SeenId(ulong Hash, int Number, RowLocation Location, bool Renamable);
