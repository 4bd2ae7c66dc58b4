using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using PrefSuite.Stages.Runs;
using Spectre.Console;

namespace PrefSuite.Cli.Runs;

/// <summary>How run progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>Progress bars on an interactive terminal, one line per stage milestone otherwise.</summary>
    Auto,

    /// <summary>Only the final summary.</summary>
    Quiet,

    /// <summary>One JSON object per progress event, for scripts.</summary>
    JsonLines,
}

/// <summary>Shows pipeline progress: Spectre.Console bars (a bar per stage, the training loss in its label) or plain lines.</summary>
public sealed class ProgressDisplay(TextWriter output, ProgressMode mode)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<T> RunAsync<T>(Func<IProgress<PipelineProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (mode == ProgressMode.Auto && ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive)
        {
            T result = default!;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var tasks = new ConcurrentDictionary<string, ProgressTask>(StringComparer.Ordinal);
                    result = await work(new Sink(p =>
                    {
                        var task = tasks.GetOrAdd(p.Stage, stage => context.AddTask(stage, maxValue: Math.Max(1, p.Total)));
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                        task.Description = p.Training is { } t && t.Step > 0
                            ? string.Create(CultureInfo.InvariantCulture, $"{p.Stage} loss {t.Loss:F3}{(double.IsFinite(t.RewardAccuracy) ? $" acc {t.RewardAccuracy:F2}" : string.Empty)}")
                            : p.Stage;
                    })).ConfigureAwait(false);
                }).ConfigureAwait(false);
            return result;
        }

        var milestones = new Dictionary<string, int>(StringComparer.Ordinal);
        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        return await work(new Sink(p =>
        {
            switch (mode)
            {
                case ProgressMode.Quiet:
                    return;
                case ProgressMode.JsonLines:
                    lock (output)
                    {
                        output.WriteLine(JsonSerializer.Serialize(new
                        {
                            p.Stage,
                            p.Done,
                            p.Total,
                            p.Message,
                            Loss = p.Training?.Loss,
                            RewardAccuracy = p.Training is { } t && double.IsFinite(t.RewardAccuracy) ? t.RewardAccuracy : (double?)null,
                        }, Json));
                    }

                    return;
                default:
                    // A line per tenth of a stage (and each message), not one per unit: logs stay readable.
                    var tenth = p.Total == 0 ? 10 : (int)(10L * p.Done / p.Total);
                    lock (output)
                    {
                        var printed = milestones.GetValueOrDefault(p.Stage, -1);
                        var news = p.Message.Length > 0 && messages.GetValueOrDefault(p.Stage) != p.Message;
                        if (news || tenth > printed)
                        {
                            milestones[p.Stage] = Math.Max(printed, tenth);
                            messages[p.Stage] = p.Message;
                            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Stage,-15} {p.Done,7}/{p.Total,-7} {p.Message}{(p.Training is { Step: > 0 } t2 ? $" loss {t2.Loss:F3}" : string.Empty)}"));
                        }
                    }

                    return;
            }
        })).ConfigureAwait(false);
    }

    private sealed class Sink(Action<PipelineProgress> report) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value) => report(value);
    }
}
