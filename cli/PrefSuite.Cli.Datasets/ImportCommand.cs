using System.CommandLine;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite import</c>: public datasets in (JSONL or Parquet: UltraFeedback, TRL preference rows, distilabel, mapped columns), scored prompts out.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "JSONL or Parquet: openbmb/UltraFeedback, ultrafeedback_binarized or other TRL preference rows, distilabel, or a layout named by the column options.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Scored prompts: PrefSuite JSONL, or Parquet when the name ends in .parquet.", Required = true };
        var format = new Option<string>("--format") { Description = "auto | scored | ultrafeedback | ultrafeedback-binarized | distilabel | mapped.", DefaultValueFactory = _ => "auto" };
        var score = new Option<string>("--ultrafeedback-score") { Description = "fine-grained | overall.", DefaultValueFactory = _ => "fine-grained" };
        var unscored = new Option<bool>("--unscored") { Description = "Accept responses without scores (to score them with prefsuite score)." };
        var command = new Command("import", "Import a dataset as scored prompts (every response with its scores).") { input, output, format, score, unscored };
        var columns = new DatasetFlags().AddTo(command);
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var notes = new FieldNotes();
            var source = parse.GetValue(input)!.FullName;
            var options = new ScoredReadOptions
            {
                Format = CommandRunner.ParseOption("--format", parse.GetValue(format)!, ScoredReadOptions.ParseFormat),
                UltraFeedbackScore = parse.GetValue(score) == "overall" ? UltraFeedbackScore.Overall : UltraFeedbackScore.FineGrained,
                Mapping = columns.Mapping(parse),
                Strict = columns.Strict(parse),
                RequireRewards = !parse.GetValue(unscored),
                Notes = notes,
            };
            var target = parse.GetValue(output)!.FullName;
            long responses = 0;
            async IAsyncEnumerable<ScoredPrompt> Counted()
            {
                responses = 0; // Parquet reads the prompts twice (head names first): count the last pass
                notes.Clear();
                await foreach (var prompt in ScoredPromptReader.ReadAsync(source, options, cancellationToken).ConfigureAwait(false))
                {
                    responses += prompt.Responses.Count;
                    yield return prompt;
                }
            }

            var prompts = PairOutput.FormatOf(target) == PairFileFormat.Parquet
                ? await ScoredParquetWriter.WriteAsync(target, Counted, cancellationToken).ConfigureAwait(false)
                : await ScoredPromptWriter.WriteAsync(target, Counted(), cancellationToken).ConfigureAwait(false);
            await DatasetFlags.NoteAsync(stderr, notes, source).ConfigureAwait(false);
            await stderr.WriteLineAsync($"imported {prompts} prompts, {responses} responses").ConfigureAwait(false);
        });
        return command;
    }
}
