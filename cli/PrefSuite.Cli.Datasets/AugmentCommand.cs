using System.CommandLine;
using PrefSuite.Data.Files;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite augment</c>: reward-conditioned augmentation of pair rows, streamed.</summary>
internal static class AugmentCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "Pairs (TRL preference rows with score_chosen and score_rejected), JSONL or Parquet.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the augmented pairs: JSONL, or Parquet when the name ends in .parquet.", Required = true };
        var noSystem = new Option<bool>("--no-system") { Description = "Prepend the goal to the first user turn instead of a system message." };
        var scale = new Option<string>("--scale") { Description = "The scores' range MIN:MAX, mapped linearly onto 1-10.", DefaultValueFactory = _ => "1:10" };
        var strict = new Option<bool>("--strict") { Description = "Refuse columns that are not pair columns (by default they are ignored with a note)." };

        var command = new Command("augment", "Reward-conditioned augmentation: each pair becomes a goal-conditioned pair and its swapped twin.")
        {
            input, output, noSystem, scale, strict,
        };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var range = CommandRunner.ParseOption("--scale", parse.GetValue(scale)!, ScoreScale.Parse);
            var source = parse.GetValue(input)!.FullName;
            var target = parse.GetValue(output)!.FullName;
            var notes = new FieldNotes();
            long pairs = 0, ties = 0;
            async IAsyncEnumerable<PairRow> Augmented()
            {
                await foreach (var pair in PairRowReader.ReadAsync(source, new PairReadOptions { Strict = parse.GetValue(strict), Notes = notes }, cancellationToken).ConfigureAwait(false))
                {
                    pairs++;
                    var rows = PairAugmenter.Augment(pair, range, useSystemPrompt: !parse.GetValue(noSystem), pairs - 1, source);
                    ties += rows.Count == 0 ? 1 : 0;
                    foreach (var row in rows)
                    {
                        yield return row;
                    }
                }
            }

            long written = 0;
            if (PairOutput.FormatOf(target) == PairFileFormat.Parquet)
            {
                written = await PairParquetWriter.WriteAsync(target, Augmented(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await AtomicFile.WriteAsync(target, async (stream, ct) => written = await PairRowWriter.WriteAsync(stream, Augmented(), ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }

            await DatasetFlags.NoteAsync(stderr, notes, source).ConfigureAwait(false);
            await stderr.WriteLineAsync($"pairs {pairs} → augmented rows {written} (skipped {ties} with equal scores: one goal cannot prefer both)").ConfigureAwait(false);
        });
        return command;
    }
}
