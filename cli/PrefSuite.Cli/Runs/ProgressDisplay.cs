using System.Globalization;
using System.Text.Json;
using PrefSuite.Workflow;
using Spectre.Console;

namespace PrefSuite.Cli.Runs;

/// <summary>How run progress is shown.</summary>
public enum ProgressMode
{
    /// <summary>A live stage table with a bar per stage on an interactive terminal, one line per stage milestone otherwise.</summary>
    Auto,

    /// <summary>Only the final summary.</summary>
    Quiet,

    /// <summary>One JSON object per progress event, for scripts.</summary>
    JsonLines,
}

/// <summary>Shows pipeline progress: a live Spectre.Console stage table on a terminal, plain lines or JSON lines otherwise.</summary>
public sealed class ProgressDisplay(TextWriter output, ProgressMode mode)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<T> RunAsync<T>(Func<IProgress<PipelineProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (mode == ProgressMode.Auto && ReferenceEquals(output, Console.Out) && AnsiConsole.Profile.Capabilities.Interactive)
        {
            var table = new StageTable();
            T result = default!;
            await AnsiConsole.Live(table.Render(AnsiConsole.Profile.Width))
                .AutoClear(false)
                .StartAsync(async context =>
                {
                    var running = Task.Run(() => work(new Sink(table.Update)));
                    while (!running.IsCompleted)
                    {
                        await Task.WhenAny(running, Task.Delay(RefreshInterval)).ConfigureAwait(false);
                        context.UpdateTarget(table.Render(AnsiConsole.Profile.Width));
                    }

                    result = await running.ConfigureAwait(false);
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
