using System.CommandLine;
using PrefSuite.Cli.Formats;
using PrefSuite.Data.Formats;
using PrefSuite.Storage;
using PrefSuite.Workflow;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite import</c> and <c>prefsuite export</c>: public datasets in, TRL JSONL or Parquet out.</summary>
internal static class ImportExportCommands
{
    public static Command Import()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "openbmb/UltraFeedback or ultrafeedback_binarized JSONL.", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Scored prompts (PrefSuite JSONL).", Required = true };
        var format = new Option<string>("--format") { Description = "auto | ultrafeedback | ultrafeedback-binarized.", DefaultValueFactory = _ => "auto" };
        var score = new Option<string>("--ultrafeedback-score") { Description = "fine-grained | overall.", DefaultValueFactory = _ => "fine-grained" };
        var command = new Command("import", "Import UltraFeedback rows as scored prompts (every completion with its scores).") { input, output, format, score };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var options = new ScoredReadOptions
            {
                Format = CommandRunner.ParseOption("--format", parse.GetValue(format)!, ScoredReadOptions.ParseFormat),
                UltraFeedbackScore = parse.GetValue(score) == "overall" ? UltraFeedbackScore.Overall : UltraFeedbackScore.FineGrained,
            };
            var prompts = await ScoredPromptReader.ReadAllAsync(parse.GetValue(input)!.FullName, options, cancellationToken).ConfigureAwait(false);
            await ScoredPromptWriter.WriteAsync(parse.GetValue(output)!.FullName, prompts, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"imported {prompts.Count} prompts, {prompts.Sum(p => p.Responses.Count)} responses").ConfigureAwait(false);
        });
        return command;
    }

    public static Command Export()
    {
        var run = new Option<string?>("--run") { Description = "Export this run's dataset (from --runs-dir)." };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder of runs.", DefaultValueFactory = _ => "prefsuite-runs" };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "Or export this pairs/scored JSONL file." };
        var what = new Option<string>("--what") { Description = "pairs (TRL rows) | samples (every sampled response with its scores).", DefaultValueFactory = _ => "pairs" };
        var format = new Option<string>("--format") { Description = "jsonl | parquet.", DefaultValueFactory = _ => "jsonl" };
        var conversational = new Option<bool>("--conversational") { Description = "Pairs as message lists (TRL's conversational format)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write.", Required = true };
        var command = new Command("export", "Export pairs as TRL JSONL or Parquet (string or conversational), or every sampled response with its scores.")
        {
            run, runsDir, input, what, format, conversational, output,
        };
        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var kind = parse.GetValue(what)!;
            if (kind is not ("pairs" or "samples"))
            {
                throw new OptionException($"--what: '{kind}' is not pairs or samples.");
            }

            var source = parse.GetValue(input)?.FullName ?? (parse.GetValue(run) is { } id
                ? new FileArtifactStore(parse.GetValue(runsDir)!).LocalPath(kind == "pairs" ? ArtifactPaths.Pairs(id) : ArtifactPaths.Samples(id))
                : throw new OptionException("give --run or --input."));
            var target = parse.GetValue(output)!.FullName;
            var parquet = parse.GetValue(format) switch
            {
                "jsonl" => false,
                "parquet" => true,
                var other => throw new OptionException($"--format: '{other}' is not jsonl or parquet."),
            };
            int count;
            if (kind == "pairs")
            {
                var rows = await PairRowReader.ReadAllAsync(source, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(conversational))
                {
                    rows = rows.Select(r => r.Prompt.IsConversational ? r : r with { Prompt = Science.Augmentation.PromptText.FromMessages([new Science.Augmentation.ChatMessage("user", r.Prompt.Text!)]) }).ToArray();
                }

                await (parquet ? ParquetExport.WritePairsAsync(target, rows, cancellationToken) : PairRowWriter.WriteAsync(target, rows, cancellationToken)).ConfigureAwait(false);
                count = rows.Count;
            }
            else
            {
                var prompts = await ScoredPromptReader.ReadAllAsync(source, new ScoredReadOptions { Format = InputFormat.Scored }, cancellationToken).ConfigureAwait(false);
                await (parquet ? ParquetExport.WriteSamplesAsync(target, prompts, cancellationToken) : ScoredPromptWriter.WriteAsync(target, prompts, cancellationToken)).ConfigureAwait(false);
                count = prompts.Sum(p => p.Responses.Count);
            }

            await stderr.WriteLineAsync($"exported {count} {(kind == "pairs" ? "pairs" : "responses")} to {target}").ConfigureAwait(false);
        });
        return command;
    }
}
