using System.CommandLine;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;

namespace PrefSuite.Cli.Commands;

/// <summary>Where a run keeps a dataset: (runs folder, run id, true for the samples or false for the pairs) → file.</summary>
public delegate string RunDatasetPath(string runsDir, string runId, bool samples);

/// <summary>
/// <c>prefsuite export</c>: TRL datasets out — pairs for DPOTrainer, SFT-routed pairs for SFTTrainer, unpaired rows for
/// KTOTrainer, every sampled response — as JSONL or Parquet, string or conversational, from a file or (where the host
/// knows runs) a run.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(RunDatasetPath? runs)
    {
        var run = new Option<string?>("--run") { Description = "Export this run's dataset (from --runs-dir)." };
        var runsDir = new Option<string>("--runs-dir") { Description = "Folder of runs.", DefaultValueFactory = _ => "prefsuite-runs" };
        var input = new Option<FileInfo?>("--input", "-i")
        {
            Description = "The file to export: pairs (any TRL preference rows, JSONL or Parquet) or, with --what samples, scored prompts.",
            Required = runs is null,
        };
        var what = new Option<string>("--what")
        {
            Description = "pairs (every pair, every column) | dpo (pairs routed to the preference loss) | sft (pairs routed to SFT, as TRL prompt-completion rows) | kto (each pair as two labelled rows) | samples (every sampled response with its scores).",
            DefaultValueFactory = _ => "pairs",
        };
        var format = new Option<string>("--format") { Description = "auto (by the output's extension: .parquet or JSONL) | jsonl | parquet.", DefaultValueFactory = _ => "auto" };
        var conversational = new Option<bool>("--conversational") { Description = "Prompts as message lists and responses as assistant messages (TRL's conversational format)." };
        var strict = new Option<bool>("--strict") { Description = "Refuse columns the input format does not use (by default they are ignored with a note)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The file to write.", Required = true };
        var command = new Command("export", "Export pairs as TRL datasets (DPO pairs, SFT prompt-completion, KTO), or every sampled response with its scores; JSONL or Parquet.");
        if (runs is not null)
        {
            command.Options.Add(run);
            command.Options.Add(runsDir);
        }

        foreach (var option in new Option[] { input, what, format, conversational, strict, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var kind = parse.GetValue(what)!;
            if (kind is not ("pairs" or "dpo" or "sft" or "kto" or "samples"))
            {
                throw new OptionException($"--what: '{kind}' is not pairs, dpo, sft, kto or samples.");
            }

            var source = parse.GetValue(input)?.FullName ?? (runs is not null && parse.GetValue(run) is { } id
                ? runs(parse.GetValue(runsDir)!, id, kind == "samples")
                : throw new OptionException("give --run or --input."));
            var target = parse.GetValue(output)!.FullName;
            var fileFormat = parse.GetValue(format) switch
            {
                "auto" => PairOutput.FormatOf(target),
                "jsonl" => PairFileFormat.Jsonl,
                "parquet" => PairFileFormat.Parquet,
                var other => throw new OptionException($"--format: '{other}' is not auto, jsonl or parquet."),
            };
            var notes = new FieldNotes();
            long count;
            if (kind == "samples")
            {
                var options = new ScoredReadOptions { Format = InputFormat.Scored, RequireRewards = false, Strict = parse.GetValue(strict), Notes = notes };
                count = fileFormat == PairFileFormat.Parquet
                    ? await ScoredParquetWriter.WriteAsync(target, () => ScoredPromptReader.ReadAsync(source, options with { Notes = null }, cancellationToken), () => ScoredPromptReader.ReadAsync(source, options, cancellationToken), cancellationToken).ConfigureAwait(false)
                    : await ScoredPromptWriter.WriteAsync(target, ScoredPromptReader.ReadAsync(source, options, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var pairs = PairRowReader.ReadAsync(source, new PairReadOptions { RequireScores = false, Strict = parse.GetValue(strict), Notes = notes }, cancellationToken);
                count = await TrlExport.WriteAsync(target, pairs, TrlExport.Parse(kind), fileFormat, parse.GetValue(conversational), cancellationToken).ConfigureAwait(false);
            }

            await DatasetFlags.NoteAsync(stderr, notes, source).ConfigureAwait(false);
            var unit = kind switch { "samples" => "prompts with their responses", "kto" => "labelled rows", "sft" => "prompt-completion rows", _ => "pairs" };
            await stderr.WriteLineAsync($"exported {count} {unit} to {target}{(count == 0 && kind == "sft" ? " (no pair was routed to SFT: select with --route-small-margins)" : string.Empty)}").ConfigureAwait(false);
        });
        return command;
    }
}
