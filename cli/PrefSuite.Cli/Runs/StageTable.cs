using System.Diagnostics;
using System.Globalization;
using PrefSuite.Workflow;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PrefSuite.Cli.Runs;

/// <summary>
/// The live stage table of a run: a row per stage in the order stages start, with a bar, done/total, throughput,
/// elapsed and remaining time, and the stage's latest message (the loss and reward accuracy while training).
/// Updates may come from any thread; rendering takes a consistent snapshot.
/// </summary>
public sealed class StageTable(Func<TimeSpan> clock)
{
    private const int WideBar = 16;
    private const int NarrowBar = 8;

    /// <summary>Below this console width the table leaves out throughput and shortens the bars, so the latest message keeps room.</summary>
    public const int WideLayoutWidth = 120;
    private readonly Lock gate = new();
    private readonly List<StageRow> rows = [];

    /// <summary>A table timed by a stopwatch started now.</summary>
    public StageTable()
        : this(StartStopwatch())
    {
    }

    public void Update(PipelineProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var now = clock();
        lock (gate)
        {
            var row = rows.Find(r => r.Stage == progress.Stage);
            if (row is null)
            {
                row = new StageRow(progress.Stage, now, progress.Done);
                rows.Add(row);
            }

            row.Done = progress.Done;
            row.Total = progress.Total;
            row.Updated = now;
            row.Detail = Detail(progress) ?? row.Detail;
        }
    }

    /// <summary>The table as it stands, laid out for a console this many columns wide.</summary>
    public IRenderable Render(int width)
    {
        var now = clock();
        var wide = width >= WideLayoutWidth;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("stage").NoWrap())
            .AddColumn(new TableColumn("progress").NoWrap())
            .AddColumn(new TableColumn("done").RightAligned().NoWrap());
        if (wide)
        {
            table.AddColumn(new TableColumn("rate").RightAligned().NoWrap());
        }

        table.AddColumn(new TableColumn("elapsed").RightAligned().NoWrap())
            .AddColumn(new TableColumn("left").RightAligned().NoWrap())
            .AddColumn("latest");
        lock (gate)
        {
            foreach (var row in rows)
            {
                var finished = row.Total > 0 && row.Done >= row.Total;
                var elapsed = (finished ? row.Updated : now) - row.Started;
                // Throughput counts only what this process did: a resumed stage starts with work already done.
                var rate = elapsed > TimeSpan.Zero ? (row.Done - row.DoneAtStart) / elapsed.TotalSeconds : double.NaN;
                var left = finished ? "done" : rate > 0 && row.Total > 0 ? Clock(TimeSpan.FromSeconds((row.Total - row.Done) / rate)) : "–";
                List<IRenderable> cells =
                [
                    new Text(row.Stage),
                    new Markup(Bar(row.Done, row.Total, wide ? WideBar : NarrowBar)),
                    new Text(string.Create(CultureInfo.InvariantCulture, $"{row.Done}/{row.Total}")),
                ];
                if (wide)
                {
                    cells.Add(new Text(double.IsFinite(rate) ? string.Create(CultureInfo.InvariantCulture, $"{rate:F1}/s") : "–"));
                }

                cells.AddRange([new Text(Clock(elapsed)), new Text(left), new Text(row.Detail)]);
                table.AddRow(cells);
            }
        }

        return table;
    }

    private static Func<TimeSpan> StartStopwatch()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }

    private static string? Detail(PipelineProgress progress)
    {
        if (progress.Training is { Step: > 0 } training)
        {
            return double.IsFinite(training.RewardAccuracy)
                ? string.Create(CultureInfo.InvariantCulture, $"loss {training.Loss:F3}, reward acc. {training.RewardAccuracy:F2}")
                : string.Create(CultureInfo.InvariantCulture, $"loss {training.Loss:F3}");
        }

        return progress.Message.Length > 0 ? progress.Message : null;
    }

    private static string Bar(int done, int total, int width)
    {
        var filled = total <= 0 ? 0 : (int)Math.Round(width * Math.Clamp((double)done / total, 0, 1));
        var colour = total > 0 && done >= total ? "green" : "yellow";
        return $"[{colour}]{new string('━', filled)}[/][grey]{new string('━', width - filled)}[/]";
    }

    private static string Clock(TimeSpan span) =>
        span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}:{span.Minutes:D2}:{span.Seconds:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}:{span.Seconds:D2}");

    private sealed class StageRow(string stage, TimeSpan started, int doneAtStart)
    {
        public string Stage { get; } = stage;

        public TimeSpan Started { get; } = started;

        public int DoneAtStart { get; } = doneAtStart;

        public TimeSpan Updated { get; set; } = started;

        public int Done { get; set; }

        public int Total { get; set; }

        public string Detail { get; set; } = string.Empty;
    }
}
