using System.CommandLine;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite augment</c>: reward-conditioned augmentation of pair rows.</summary>
internal static class AugmentCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "Pairs (TRL JSONL with score_chosen and score_rejected).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the augmented pairs.", Required = true };
        var noSystem = new Option<bool>("--no-system") { Description = "Prepend the goal to the first user turn instead of a system message." };
        var scale = new Option<string>("--scale") { Description = "The scores' range MIN:MAX, mapped linearly onto 1-10.", DefaultValueFactory = _ => "1:10" };

        var command = new Command("augment", "Reward-conditioned augmentation: each pair becomes a goal-conditioned pair and its swapped twin.")
        {
            input, output, noSystem, scale,
        };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var range = CommandRunner.ParseOption("--scale", parse.GetValue(scale)!, ScoreScale.Parse);
            var pairs = await PairRowReader.ReadAllAsync(parse.GetValue(input)!.FullName, cancellationToken).ConfigureAwait(false);
            var (rows, ties) = PairAugmenter.Augment(pairs, range, useSystemPrompt: !parse.GetValue(noSystem));
            await PairRowWriter.WriteAsync(parse.GetValue(output)!.FullName, rows, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"pairs {pairs.Count} → augmented rows {rows.Count} (skipped {ties} with equal scores: one goal cannot prefer both)").ConfigureAwait(false);
        });
        return command;
    }
}
