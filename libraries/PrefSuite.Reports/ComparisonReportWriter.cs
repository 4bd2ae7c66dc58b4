using System.Globalization;
using System.Net;
using System.Text;
using PrefSuite.Models.Evaluation;
using PrefSuite.Stages.Comparison;
using ScottPlot;

namespace PrefSuite.Reports;

/// <summary>Writes a strategy comparison: results.csv, a plot per measure against N, and index.html with the table.</summary>
public static class ComparisonReportWriter
{
    public static string Table(EvaluationResult baseline, IReadOnlyList<ComparisonResult> results)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder();
        var cells = ComparisonCell.Summarize(results);
        text.AppendLine(CultureInfo.InvariantCulture, $"starting policy: held-out reward {baseline.MeanReward:F3}, exact match {baseline.SuccessRate:F3}");
        if (cells.Count > 0 && cells[0].Repeats > 1)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"mean ± standard error over {cells[0].Repeats} repeats");
        }

        text.AppendLine("| variant | N | pairs | sft | chosen | rejected | reward acc. | held-out reward | exact match |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var c in cells)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {string.Join(" | ", Columns(c))} |");
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Write(string folder, EvaluationResult baseline, IReadOnlyList<ComparisonResult> results)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        var cells = ComparisonCell.Summarize(results);
        var csv = new StringBuilder("variant,n,repeat,pairs,routed_to_sft,mean_chosen_reward,mean_rejected_reward,reward_accuracy,heldout_reward,heldout_exact\n");
        foreach (var r in results)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Variant},{r.N},{r.Repeat},{r.Pairs},{r.RoutedToSft},{r.MeanChosenReward:R},{r.MeanRejectedReward:R},{r.RewardAccuracy:R},{r.HeldOutReward:R},{r.HeldOutExact:R}"));
        }

        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
        Plot(folder, "heldout_reward.png", "Held-out ground-truth reward after training", "mean reward", cells, c => c.HeldOutReward, baseline.MeanReward);
        Plot(folder, "reward_accuracy.png", "Reward accuracy in the last epoch", "share of pairs with h > 0", cells, c => c.RewardAccuracy, double.NaN);
        Plot(folder, "heldout_exact.png", "Held-out exact-match rate after training", "exact match", cells, c => c.HeldOutExact, baseline.SuccessRate);
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PrefSuite strategy comparison</title>")
            .Append("<style>body{font-family:sans-serif;max-width:980px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}img{max-width:100%}</style></head><body>")
            .Append("<h1>Strategy comparison</h1><p>Starting policy: held-out reward ").Append(baseline.MeanReward.ToString("F3", CultureInfo.InvariantCulture))
            .Append(", exact match ").Append(baseline.SuccessRate.ToString("F3", CultureInfo.InvariantCulture)).Append(".</p>");
        if (cells.Count > 0 && cells[0].Repeats > 1)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Each cell: mean ± standard error over {cells[0].Repeats} repeats (new samples, training order and random choices each time).</p>");
        }

        html.Append("<table><tr>");
        foreach (var header in new[] { "variant", "N", "pairs", "SFT", "chosen", "rejected", "reward acc.", "held-out reward", "exact match" })
        {
            html.Append("<th>").Append(header).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var c in cells)
        {
            html.Append("<tr>");
            foreach (var column in Columns(c))
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(column)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");
        foreach (var file in new[] { "heldout_reward.png", "heldout_exact.png", "reward_accuracy.png" })
        {
            html.Append("<figure><img src=\"").Append(file).Append("\" alt=\"").Append(file).Append("\"></figure>");
        }

        html.Append("<p>Raw numbers: <a href=\"results.csv\">results.csv</a>.</p></body></html>\n");
        File.WriteAllText(Path.Combine(folder, "index.html"), html.ToString());
        return ["results.csv", "heldout_reward.png", "reward_accuracy.png", "heldout_exact.png", "index.html"];
    }

    /// <summary>A cell's columns as text: counts as integers where they are, measures with "± standard error" over repeats.</summary>
    private static string[] Columns(ComparisonCell c) =>
    [
        c.Variant,
        c.N.ToString(CultureInfo.InvariantCulture),
        Count(c.Pairs),
        Count(c.RoutedToSft),
        c.MeanChosenReward.ToString("F3", CultureInfo.InvariantCulture),
        c.MeanRejectedReward.ToString("F3", CultureInfo.InvariantCulture),
        Measure(c.RewardAccuracy),
        Measure(c.HeldOutReward),
        Measure(c.HeldOutExact),
    ];

    private static string Count(double value) =>
        value.ToString(value == Math.Round(value) ? "F0" : "F1", CultureInfo.InvariantCulture);

    private static string Measure(MeanWithError value) => double.IsFinite(value.StandardError)
        ? string.Create(CultureInfo.InvariantCulture, $"{value.Mean:F3} ± {value.StandardError:F3}")
        : value.Mean.ToString("F3", CultureInfo.InvariantCulture);

    private static void Plot(string folder, string file, string title, string y, IReadOnlyList<ComparisonCell> cells, Func<ComparisonCell, MeanWithError> value, double baseline)
    {
        var plot = Charts.New(title, "N (samples per prompt)", y);
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var group in cells.GroupBy(c => c.Variant))
        {
            var points = group.OrderBy(c => c.N).ToArray();
            var color = palette.GetColor(index++);
            var xs = points.Select(p => (double)p.N).ToArray();
            var ys = points.Select(p => value(p).Mean).ToArray();
            var scatter = plot.Add.Scatter(xs, ys, color);
            scatter.LegendText = group.Key;
            if (points.Any(p => double.IsFinite(value(p).StandardError)))
            {
                var bars = plot.Add.ErrorBar(xs, ys, points.Select(p => double.IsFinite(value(p).StandardError) ? value(p).StandardError : 0).ToArray());
                bars.Color = color;
            }
        }

        if (double.IsFinite(baseline))
        {
            var line = plot.Add.HorizontalLine(baseline);
            line.Text = "before";
            line.LinePattern = LinePattern.Dashed;
            line.Color = Charts.Guide;
        }

        var grid = cells.Select(c => c.N).Distinct().Order().ToArray();
        plot.Axes.Bottom.SetTicks(grid.Select(n => (double)n).ToArray(), grid.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        // Outside the data area: six variants' lines fill the plot, and an inside legend hides some of them.
        plot.ShowLegend(Edge.Right);
        Charts.Save(plot, folder, file);
    }
}
