using System.Globalization;
using System.Runtime.CompilerServices;
using PrefSuite.Contracts.V1;
using PrefSuite.Data.Formats;
using PrefSuite.Data.Selection;
using PrefSuite.Stages.Denoising;
using PrefSuite.Stages.Mapping;

namespace PrefSuite.Cli.Commands;

/// <summary>
/// <c>prefsuite denoise --input scored.jsonl</c>: the pipeline's denoising stage over a file, so that score → denoise →
/// select chains on files. Each prompt's reward heads (or its scorers' heads) are the judges of its preference matrix;
/// every response gets a denoised_reward, which select then uses. Prompts are denoised in parallel, written in order.
/// </summary>
internal static class DenoiseDataset
{
    private const int Batch = 256;

    public static async Task RunAsync(string input, string output, ScoredReadOptions read, DenoiseOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        var tally = new Tally();
        var count = PairOutput.FormatOf(output) == PairFileFormat.Parquet
            ? await ScoredParquetWriter.WriteAsync(
                output,
                () => ScoredPromptReader.ReadAsync(input, read with { Notes = null }, cancellationToken), // head names: denoising keeps them
                () => Denoised(ScoredPromptReader.ReadAsync(input, read, cancellationToken), options, tally, cancellationToken),
                cancellationToken).ConfigureAwait(false)
            : await ScoredPromptWriter.WriteAsync(output, Denoised(ScoredPromptReader.ReadAsync(input, read, cancellationToken), options, tally, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (read.Notes?.Describe(input) is { } note)
        {
            await stderr.WriteLineAsync(note).ConfigureAwait(false);
        }

        var meanFlagged = tally.Denoised == 0 ? 0 : (double)tally.Flagged / tally.Denoised;
        var meanTau = tally.TauCount == 0 ? double.NaN : tally.TauSum / tally.TauCount;
        var unconverged = tally.NotConverged > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {tally.NotConverged} did not converge") : string.Empty;
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"denoised {tally.Denoised} of {count} prompts ({tally.SingleSource} have one judge: nothing to denoise, rewards kept); flagged comparisons {tally.Flagged} (mean {meanFlagged:F2} per prompt); mean Kendall τ raw vs denoised {meanTau:F3}{unconverged}")).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<ScoredPrompt> Denoised(IAsyncEnumerable<ScoredPrompt> prompts, DenoiseOptions options, Tally tally, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<ScoredPrompt>(Batch);
        await foreach (var prompt in prompts.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(prompt);
            if (batch.Count == Batch)
            {
                foreach (var done in DenoiseBatch(batch, options, tally))
                {
                    yield return done;
                }

                batch.Clear();
            }
        }

        foreach (var done in DenoiseBatch(batch, options, tally))
        {
            yield return done;
        }
    }

    private static ScoredPrompt[] DenoiseBatch(List<ScoredPrompt> batch, DenoiseOptions options, Tally tally)
    {
        var results = new ScoredPrompt[batch.Count];
        Parallel.For(0, batch.Count, i => results[i] = Denoise(batch[i], options, tally));
        return results;
    }

    private static ScoredPrompt Denoise(ScoredPrompt prompt, DenoiseOptions options, Tally tally)
    {
        var unit = new PromptUnit { RunId = "cli", Prompt = PromptMapping.ToProto(prompt.PromptId, prompt.Prompt) };
        for (var i = 0; i < prompt.Responses.Count; i++)
        {
            var response = prompt.Responses[i];
            if (double.IsNaN(response.Reward))
            {
                throw new Data.DataFormatException(prompt.SourceFile ?? "(input)", prompt.Source, $"responses[{i}].reward", "is missing: score the responses first");
            }

            var vector = new RewardVector { Reward = response.Reward };
            foreach (var (head, value) in response.Rewards ?? new Dictionary<string, double>())
            {
                vector.Heads[head] = value;
            }

            unit.Responses.Add(new Response { Text = response.Text, SampleIndex = i, Reward = vector });
        }

        PromptUnit denoised;
        try
        {
            denoised = DenoisingStage.DenoiseUnit(unit, options);
        }
        catch (Workflow.InvalidRequestException error)
        {
            throw new Data.DataFormatException(prompt.SourceFile ?? "(input)", prompt.Source, null, error.Message);
        }

        tally.Add(denoised.Denoise, singleSource: denoised.Denoise.Iterations == 0);
        return prompt with
        {
            Responses = [.. prompt.Responses.Select((r, i) => r with { DenoisedReward = denoised.Responses[i].DenoisedReward })],
        };
    }

    /// <summary>Counts across threads.</summary>
    private sealed class Tally
    {
        private readonly Lock _lock = new();

        public long Denoised { get; private set; }

        public long SingleSource { get; private set; }

        public long Flagged { get; private set; }

        public long NotConverged { get; private set; }

        public double TauSum { get; private set; }

        public long TauCount { get; private set; }

        public void Add(DenoiseReport report, bool singleSource)
        {
            lock (_lock)
            {
                if (singleSource)
                {
                    SingleSource++;
                    return;
                }

                Denoised++;
                Flagged += report.Flagged;
                NotConverged += report.Converged ? 0 : 1;
                if (double.IsFinite(report.KendallTau))
                {
                    TauSum += report.KendallTau;
                    TauCount++;
                }
            }
        }
    }
}
