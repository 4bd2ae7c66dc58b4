using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PrefSuite.Science.Statistics;
using PrefSuite.Stages.Comparison;
using ScottPlot;

namespace PrefSuite.Reports;

/// <summary>
/// Writes a strategy comparison: report.md (the tables), report.json (every number), results.csv (one row per variant,
/// N and repeat), plots against N with 95% intervals, and index.html with the tables and plots.
/// </summary>
public static class ComparisonReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The report as markdown: design, variants, per-cell results and the paired differences.</summary>
    public static string Table(ComparisonOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var text = new StringBuilder();
        var cells = ComparisonCell.Summarize(outcome.Results);
        var repeats = outcome.Repeats.Count;
        var grid = outcome.Results.Select(r => r.N).Distinct().Order().ToArray();
        var start = MeanInterval.Of(outcome.Repeats.Select(r => r.Start.MeanReward).ToArray());
        var startExact = MeanInterval.Of(outcome.Repeats.Select(r => r.Start.SuccessRate).ToArray());
        var policies = outcome.Repeats.Select(r => r.Policy).Distinct().Count();
        text.AppendLine(CultureInfo.InvariantCulture, $"task: {outcome.Task.Name} ({outcome.Task.MinDigits}–{outcome.Task.MaxDigits} digits); baseline: {outcome.Baseline}; {repeats} repeat{(repeats == 1 ? string.Empty : "s")}, {policies} starting polic{(policies == 1 ? "y" : "ies")}");
        text.AppendLine("paired design: in each repeat every variant selects from the same scored samples, starts from the same policy and is evaluated on the same held-out prompts and evaluation seed; repeats differ in all of them. Intervals: 95% Student-t over repeats; * marks an interval that excludes 0.");
        text.AppendLine(CultureInfo.InvariantCulture, $"starting policy: held-out reward {Interval(start)}, exact match {Interval(startExact)}");
        text.AppendLine();
        text.AppendLine("| variant | differs from the baseline in | what |");
        text.AppendLine("|---|---|---|");
        foreach (var v in outcome.Variants)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {v.Name} | {Changes(v, outcome.Baseline)} | {v.Description} |");
        }

        text.AppendLine();
        text.AppendLine("Per cell, means over repeats: pairs trained, of them routed to SFT, epochs and optimizer steps; the DPO rejected's position (r − μ)/σ among its prompt's N scored samples and its ground-truth reward; reward accuracy in the last epoch; held-out reward and exact match with 95% intervals.");
        text.AppendLine();
        text.AppendLine("| variant | N | pairs | SFT | epochs | steps | rejected z | rejected truth | reward acc. | held-out reward | exact match |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cells)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", Columns(c))} |");
        }

        var differences = ComparisonAnalysis.AgainstBaseline(outcome);
        if (differences.Count > 0)
        {
            DifferenceTable(text, $"Held-out reward, paired difference from {outcome.Baseline} (same N)", differences, grid, d => d.Reward);
            DifferenceTable(text, $"Exact match, paired difference from {outcome.Baseline} (same N)", differences, grid, d => d.Exact);
        }

        DifferenceTable(text, "Held-out reward gained over the starting policy (paired)", ComparisonAnalysis.AgainstStart(outcome), grid, d => d.Reward);
        var trend = ComparisonAnalysis.AgainstSmallestN(outcome);
        if (trend.Count > 0)
        {
            DifferenceTable(text, $"Held-out reward, change from N = {grid[0]} (same variant, paired)", trend, grid.Skip(1).ToArray(), d => d.Reward);
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Write(string folder, ComparisonOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Directory.CreateDirectory(folder);
        var cells = ComparisonCell.Summarize(outcome.Results);
        var csv = new StringBuilder("variant,n,repeat,pairs,routed_to_sft,epochs,steps,mean_chosen_reward,mean_rejected_reward,rejected_ground_truth,rejected_z,reward_accuracy,heldout_reward,heldout_exact,samples_hash,start_reward,start_exact\n");
        var start = outcome.Repeats.ToDictionary(r => r.Repeat, r => r.Start);
        foreach (var r in outcome.Results)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Variant},{r.N},{r.Repeat},{r.Pairs},{r.RoutedToSft},{r.Epochs},{r.Steps},{r.MeanChosenReward:R},{r.MeanRejectedReward:R},{r.RejectedGroundTruth:R},{r.RejectedZ:R},{r.RewardAccuracy:R},{r.HeldOutReward:R},{r.HeldOutExact:R},{r.SamplesHash},{start[r.Repeat].MeanReward:R},{start[r.Repeat].SuccessRate:R}"));
        }

        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
        var markdown = Table(outcome);
        File.WriteAllText(Path.Combine(folder, "report.md"), "# Strategy comparison\n\n" + markdown);
        File.WriteAllText(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(new
        {
            task = outcome.Task,
            outcome.Baseline,
            repeats = outcome.Repeats,
            variants = outcome.Variants.Select(v => new
            {
                v.Name,
                Changes = Changes(v, outcome.Baseline),
                v.Description,
                Strategy = v.Strategy.Name,
                Losses = v.Losses.Select(l => l.Kind.ToString()),
                v.Beta1,
                v.Order,
                v.EqualSteps,
                v.RandomSftControl,
                v.Dataset.RouteSmallMargins,
            }),
            cells,
            against_baseline = ComparisonAnalysis.AgainstBaseline(outcome),
            against_start = ComparisonAnalysis.AgainstStart(outcome),
            against_smallest_n = ComparisonAnalysis.AgainstSmallestN(outcome),
            results = outcome.Results,
        }, Json));
        var baseline = MeanInterval.Of(outcome.Repeats.Select(r => r.Start.MeanReward).ToArray()).Mean;
        var baselineExact = MeanInterval.Of(outcome.Repeats.Select(r => r.Start.SuccessRate).ToArray()).Mean;
        Plot(folder, "heldout_reward.png", "Held-out ground-truth reward after training (95% CI)", "mean reward", cells.Select(c => (c.Variant, c.N, c.HeldOutReward)).ToArray(), baseline, "start");
        Plot(folder, "heldout_exact.png", "Held-out exact-match rate after training (95% CI)", "exact match", cells.Select(c => (c.Variant, c.N, c.HeldOutExact)).ToArray(), baselineExact, "start");
        Plot(folder, "reward_accuracy.png", "Reward accuracy in the last epoch", "share of pairs with h > 0", cells.Select(c => (c.Variant, c.N, c.RewardAccuracy)).ToArray(), double.NaN, string.Empty);
        Plot(folder, "difference_from_baseline.png", $"Held-out reward minus {outcome.Baseline}, paired (95% CI)", "difference", ComparisonAnalysis.AgainstBaseline(outcome).Select(d => (d.Variant, d.N, d.Reward)).ToArray(), 0, string.Empty);
        string[] plots = ["heldout_reward.png", "difference_from_baseline.png", "heldout_exact.png", "reward_accuracy.png"];
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PrefSuite strategy comparison</title>")
            .Append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}img{max-width:100%}</style></head><body>")
            .Append("<h1>Strategy comparison</h1>");
        foreach (var block in markdown.Split("\n\n"))
        {
            html.Append(Html(block));
        }

        foreach (var file in plots)
        {
            html.Append("<figure><img src=\"").Append(file).Append("\" alt=\"").Append(file).Append("\"></figure>");
        }

        html.Append("<p>Every number: <a href=\"report.json\">report.json</a>; one row per variant, N and repeat: <a href=\"results.csv\">results.csv</a>.</p></body></html>\n");
        File.WriteAllText(Path.Combine(folder, "index.html"), html.ToString());
        return ["results.csv", "report.md", "report.json", .. plots, "index.html"];
    }

    /// <summary>
    /// A comparison read back from its report.json, with another baseline (null keeps the recorded one): re-analysis
    /// needs no training, since every per-repeat result is in the file.
    /// </summary>
    public static ComparisonOutcome Read(string reportJson, string? baseline = null)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(reportJson));
        var root = document.RootElement;
        var variants = root.GetProperty("variants").EnumerateArray().Select(v => ComparisonVariant.Parse(v.GetProperty("name").GetString()!, 0)).ToArray();
        var chosen = baseline ?? root.GetProperty("baseline").GetString()!;
        if (variants.All(v => v.Name != chosen))
        {
            throw new ArgumentException($"'{chosen}' is not one of the report's variants ({string.Join(", ", variants.Select(v => v.Name))}).", nameof(baseline));
        }

        // Keep the baseline first, as a comparison lists it.
        variants = [.. variants.Where(v => v.Name == chosen), .. variants.Where(v => v.Name != chosen)];
        return new ComparisonOutcome(
            chosen,
            root.GetProperty("task").Deserialize<Science.Demo.SortingTaskShape>(Json)!,
            variants,
            root.GetProperty("repeats").Deserialize<ComparisonRepeat[]>(Json)!,
            root.GetProperty("results").Deserialize<ComparisonResult[]>(Json)!);
    }

    /// <summary>"data", "steps", "loss", "order" (those that apply), "—" for the baseline.</summary>
    public static string Changes(ComparisonVariant variant, string baseline)
    {
        ArgumentNullException.ThrowIfNull(variant);
        if (variant.Name == baseline)
        {
            return "— (baseline)";
        }

        var parts = new List<string>();
        if (variant.Changes.HasFlag(VariantChange.Data))
        {
            parts.Add("data");
        }

        if (variant.Changes.HasFlag(VariantChange.Steps))
        {
            parts.Add("steps");
        }

        if (variant.Changes.HasFlag(VariantChange.Loss))
        {
            parts.Add("loss");
        }

        if (variant.Changes.HasFlag(VariantChange.Order))
        {
            parts.Add("order");
        }

        return parts.Count == 0 ? "nothing" : string.Join(" + ", parts);
    }

    /// <summary>
    /// "mean [low, high]" (or the mean alone with one value), signed when <paramref name="withSign"/>, "*" when the interval
    /// excludes 0. A bound that three decimals would round to zero gets a fourth, so its sign stays visible.
    /// </summary>
    public static string Interval(MeanInterval value, bool withSign = false)
    {
        if (!double.IsFinite(value.Mean))
        {
            return "–";
        }

        string Format(double x) => (withSign, x != 0 && Math.Abs(x) < 0.0005) switch
        {
            (true, true) => x.ToString("+0.0000;−0.0000", CultureInfo.InvariantCulture),
            (true, false) => x.ToString("+0.000;−0.000;0.000", CultureInfo.InvariantCulture),
            (false, true) => x.ToString("0.0000", CultureInfo.InvariantCulture),
            _ => x.ToString("0.000", CultureInfo.InvariantCulture),
        };

        return double.IsFinite(value.Low)
            ? string.Create(CultureInfo.InvariantCulture, $"{Format(value.Mean)} [{Format(value.Low)}, {Format(value.High)}]{(withSign && value.ExcludesZero ? "*" : string.Empty)}")
            : Format(value.Mean);
    }

    private static void DifferenceTable(StringBuilder text, string title, IReadOnlyList<PairedComparison> rows, IReadOnlyList<int> grid, Func<PairedComparison, MeanInterval> measure)
    {
        text.AppendLine();
        text.AppendLine(title);
        text.AppendLine();
        text.AppendLine("| variant | " + string.Join(" | ", grid.Select(n => $"N = {n}")) + " |");
        text.AppendLine("|---|" + string.Concat(grid.Select(_ => "---|")));
        foreach (var group in rows.GroupBy(r => r.Variant))
        {
            var byN = group.ToDictionary(r => r.N);
            text.AppendLine($"| {group.Key} | " + string.Join(" | ", grid.Select(n => byN.TryGetValue(n, out var d) ? Interval(measure(d), withSign: true) : "–")) + " |");
        }
    }

    private static string[] Columns(ComparisonCell c) =>
    [
        c.Variant,
        c.N.ToString(CultureInfo.InvariantCulture),
        Count(c.Pairs),
        Count(c.RoutedToSft),
        Count(c.Epochs),
        Count(c.Steps),
        double.IsFinite(c.RejectedZ) ? c.RejectedZ.ToString("F2", CultureInfo.InvariantCulture) : "–",
        double.IsFinite(c.RejectedGroundTruth) ? c.RejectedGroundTruth.ToString("F3", CultureInfo.InvariantCulture) : "–",
        Interval(c.RewardAccuracy),
        Interval(c.HeldOutReward),
        Interval(c.HeldOutExact),
    ];

    private static string Count(double value) =>
        value.ToString(value == Math.Round(value) ? "F0" : "F1", CultureInfo.InvariantCulture);

    /// <summary>A markdown block (a table or lines of text) as HTML.</summary>
    private static string Html(string block)
    {
        var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return string.Empty;
        }

        if (!lines[0].StartsWith('|'))
        {
            return string.Concat(lines.Select(l => "<p>" + WebUtility.HtmlEncode(l) + "</p>"));
        }

        var html = new StringBuilder("<table>");
        for (var i = 0; i < lines.Length; i++)
        {
            if (i == 1)
            {
                continue;
            }

            var tag = i == 0 ? "th" : "td";
            html.Append("<tr>");
            foreach (var cell in lines[i].Trim('|').Split('|'))
            {
                html.Append('<').Append(tag).Append('>').Append(WebUtility.HtmlEncode(cell.Trim())).Append("</").Append(tag).Append('>');
            }

            html.Append("</tr>");
        }

        return html.Append("</table>").ToString();
    }

    private static void Plot(string folder, string file, string title, string y, IReadOnlyList<(string Variant, int N, MeanInterval Value)> points, double guide, string guideLabel)
    {
        var plot = Charts.New(title, "N (samples per prompt)", y);
        // Ten distinct colours while they suffice; Category20's pairs of shades only beyond.
        IPalette palette = points.Select(p => p.Variant).Distinct().Count() <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
        var index = 0;
        foreach (var group in points.GroupBy(p => p.Variant))
        {
            var line = group.OrderBy(p => p.N).Where(p => double.IsFinite(p.Value.Mean)).ToArray();
            if (line.Length == 0)
            {
                continue;
            }

            var color = palette.GetColor(index++);
            // N on a log₂ axis: the grid doubles.
            var xs = line.Select(p => Math.Log2(p.N)).ToArray();
            var ys = line.Select(p => p.Value.Mean).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.LegendText = group.Key;
            if (line.Any(p => double.IsFinite(p.Value.Low)))
            {
                var bars = plot.Add.ErrorBar(xs, ys, line.Select(p => double.IsFinite(p.Value.Low) ? p.Value.Mean - p.Value.Low : 0).ToArray());
                bars.Color = color;
            }
        }

        if (double.IsFinite(guide))
        {
            var line = plot.Add.HorizontalLine(guide);
            if (guideLabel.Length > 0)
            {
                line.Text = guideLabel;
            }

            line.LinePattern = LinePattern.Dashed;
            line.Color = Charts.Guide;
        }

        var grid = points.Select(p => p.N).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks(grid.Select(n => Math.Log2(n)).ToArray(), grid.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.ShowLegend(Edge.Right);
        Charts.Save(plot, folder, file);
    }
}
