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
        text.AppendLine(CultureInfo.InvariantCulture, $"starting policy: held-out reward {baseline.MeanReward:F3}, exact match {baseline.SuccessRate:F3}");
        text.AppendLine("| variant | N | pairs | sft | chosen | rejected | reward acc. | held-out reward | exact match |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Variant} | {r.N} | {r.Pairs} | {r.RoutedToSft} | {r.MeanChosenReward:F3} | {r.MeanRejectedReward:F3} | {r.RewardAccuracy:F3} | {r.HeldOutReward:F3} | {r.HeldOutExact:F3} |");
        }

        return text.ToString();
    }

    public static IReadOnlyList<string> Write(string folder, EvaluationResult baseline, IReadOnlyList<ComparisonResult> results)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        var csv = new StringBuilder("variant,n,pairs,routed_to_sft,mean_chosen_reward,mean_rejected_reward,reward_accuracy,heldout_reward,heldout_exact\n");
        foreach (var r in results)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Variant},{r.N},{r.Pairs},{r.RoutedToSft},{r.MeanChosenReward:R},{r.MeanRejectedReward:R},{r.RewardAccuracy:R},{r.HeldOutReward:R},{r.HeldOutExact:R}"));
        }

        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
        Plot(folder, "heldout_reward.png", "Held-out ground-truth reward after training", "mean reward", results, r => r.HeldOutReward, baseline.MeanReward);
        Plot(folder, "reward_accuracy.png", "Reward accuracy in the last epoch", "share of pairs with h > 0", results, r => r.RewardAccuracy, double.NaN);
        Plot(folder, "heldout_exact.png", "Held-out exact-match rate after training", "exact match", results, r => r.HeldOutExact, baseline.SuccessRate);
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PrefSuite strategy comparison</title>")
            .Append("<style>body{font-family:sans-serif;max-width:980px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}img{max-width:100%}</style></head><body>")
            .Append("<h1>Strategy comparison</h1><p>Starting policy: held-out reward ").Append(baseline.MeanReward.ToString("F3", CultureInfo.InvariantCulture))
            .Append(", exact match ").Append(baseline.SuccessRate.ToString("F3", CultureInfo.InvariantCulture)).Append(".</p><table><tr>");
        foreach (var header in new[] { "variant", "N", "pairs", "SFT", "chosen", "rejected", "reward acc.", "held-out reward", "exact match" })
        {
            html.Append("<th>").Append(header).Append("</th>");
        }

        html.Append("</tr>");
        foreach (var r in results)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(r.Variant)}</td><td>{r.N}</td><td>{r.Pairs}</td><td>{r.RoutedToSft}</td><td>{r.MeanChosenReward:F3}</td><td>{r.MeanRejectedReward:F3}</td><td>{r.RewardAccuracy:F3}</td><td>{r.HeldOutReward:F3}</td><td>{r.HeldOutExact:F3}</td></tr>");
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

    private static void Plot(string folder, string file, string title, string y, IReadOnlyList<ComparisonResult> results, Func<ComparisonResult, double> value, double baseline)
    {
        var plot = Charts.New(title, "N (samples per prompt)", y);
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var group in results.GroupBy(r => r.Variant))
        {
            var points = group.OrderBy(r => r.N).ToArray();
            var scatter = plot.Add.Scatter(points.Select(p => (double)p.N).ToArray(), points.Select(value).ToArray(), palette.GetColor(index++));
            scatter.LegendText = group.Key;
        }

        if (double.IsFinite(baseline))
        {
            var line = plot.Add.HorizontalLine(baseline);
            line.Text = "before";
            line.LinePattern = LinePattern.Dashed;
            line.Color = Charts.Guide;
        }

        plot.Axes.Bottom.SetTicks(results.Select(r => (double)r.N).Distinct().Order().ToArray(), results.Select(r => r.N).Distinct().Order().Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.ShowLegend(Alignment.LowerRight);
        Charts.Save(plot, folder, file);
    }
}
