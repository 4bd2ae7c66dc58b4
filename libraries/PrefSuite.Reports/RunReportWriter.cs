using System.Globalization;
using System.Net;
using System.Text;
using PrefSuite.Contracts.V1;
using ScottPlot;

namespace PrefSuite.Reports;

/// <summary>Writes a run's report: PNG plots and index.html (no external resources; the images sit beside it).</summary>
public static class RunReportWriter
{
    public static IReadOnlyList<string> Write(string folder, RunReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(folder);
        var figures = new List<(string File, string Caption)>();
        for (var i = 0; i < data.Examples.Count; i++)
        {
            var file = $"rewards_{i + 1}.png";
            RewardDistribution(data.Examples[i], folder, file);
            figures.Add((file, $"Rewards of the {data.Examples[i].Rewards.Length} samples of prompt {data.Examples[i].PromptId}: μ, μ±σ, μ±2σ, and the pair taken ({data.Examples[i].ChosenPosition} vs {data.Examples[i].RejectedPosition})."));
        }

        var margins = Charts.New("External margin of every candidate pair", "score_chosen − score_rejected", "pairs");
        Charts.Histogram(margins, data.CandidateMargins);
        Charts.Line(margins, data.RouteThreshold, "SFT below", Charts.Rejected, LinePattern.Dashed);
        Charts.Save(margins, folder, "margins.png");
        figures.Add(("margins.png", "Margins of the candidate pairs; with routing, kept pairs left of the dashed line train with SFT."));

        var probabilities = Charts.New("Aggregated preference probability", "P (external ⊗ implicit)", "pairs");
        Charts.Histogram(probabilities, data.CandidateProbabilities, 20);
        Charts.Line(probabilities, data.KeepThreshold, "kept above", Charts.Chosen, LinePattern.Dashed);
        Charts.Save(probabilities, folder, "probabilities.png");
        figures.Add(("probabilities.png", "Margin probabilities after aggregation; pairs right of the dashed line were kept."));

        var selection = data.Run.Selection ?? new SelectionSummary();
        var funnel = Charts.New("Selection funnel", string.Empty, "count");
        double[] counts = [selection.Prompts, selection.CandidatePairs, selection.Kept, selection.RoutedToSft];
        funnel.Add.Bars(counts);
        funnel.Axes.Bottom.SetTicks([0, 1, 2, 3], ["prompts", "candidate pairs", "kept", "routed to SFT"]);
        Charts.Save(funnel, folder, "funnel.png");
        figures.Add(("funnel.png", "Prompts → candidate pairs → kept pairs → pairs routed to SFT."));

        var flags = Charts.New("Robust PCA: flagged comparisons per prompt", "flagged comparisons", "prompts");
        Charts.Histogram(flags, data.FlaggedPerPrompt.Select(f => (double)f).ToArray(), 10);
        Charts.Save(flags, folder, "denoise.png");
        figures.Add(("denoise.png", "Comparisons robust PCA moved into the sparse part, per prompt (0 everywhere when a single reward source is consistent by construction)."));

        if (data.Training.Count > 0)
        {
            TrainingCurve(data.Training, folder, "training_loss.png", "Training loss", "loss", p => p.Loss);
            TrainingCurve(data.Training, folder, "training_accuracy.png", "Reward accuracy (share of pairs with h > 0)", "accuracy", p => p.RewardAccuracy);
            TrainingCurve(data.Training, folder, "training_margin.png", "Mean implicit reward margin β·h", "β·h", p => p.MeanMargin);
            figures.Add(("training_loss.png", "Loss per step."));
            figures.Add(("training_accuracy.png", "Reward accuracy per step."));
            figures.Add(("training_margin.png", "Mean implicit reward margin per step."));
        }

        var job = data.Run.Training;
        if (job is not null && double.IsFinite(job.RewardBefore))
        {
            var evaluation = Charts.New("Held-out ground truth, sampled at T = 1", string.Empty, "value");
            evaluation.Add.Bars([job.RewardBefore, job.RewardAfter, job.SuccessBefore, job.SuccessAfter]);
            evaluation.Axes.Bottom.SetTicks([0, 1, 2, 3], ["reward before", "reward after", "exact before", "exact after"]);
            Charts.Save(evaluation, folder, "evaluation.png");
            figures.Add(("evaluation.png", "Mean ground-truth reward and exact-match rate of sampled responses on held-out prompts, before and after training."));
        }

        if (job is { HeldOutPairs: > 0 } && double.IsFinite(job.HeldOutAccuracy))
        {
            var heldOut = Charts.New($"{job.HeldOutPairs} held-out pairs (no ground truth: implicit rewards)", string.Empty, "share");
            heldOut.Add.Bars([0.5, job.HeldOutAccuracy]);
            heldOut.Axes.Bottom.SetTicks([0, 1], ["chance", "implicit-reward accuracy"]);
            Charts.Save(heldOut, folder, "held_out.png");
            figures.Add(("held_out.png", "Share of pairs kept out of training whose chosen response gets the larger implicit reward β·(log πθ − log πref) after training."));
        }

        File.WriteAllText(Path.Combine(folder, "index.html"), Html(data, figures));
        return figures.Select(f => f.File).Append("index.html").ToArray();
    }

    private static void RewardDistribution(PromptRewards prompt, string folder, string file)
    {
        // No title: the position labels sit along the top edge; the prompt goes in the caption.
        var plot = Charts.New(string.Empty, $"reward of each sample of \"{Shorten(prompt.Prompt)}\"", "samples");
        Charts.Histogram(plot, prompt.Rewards, 20);
        var (mean, sigma) = (prompt.Mean, prompt.StdDev);
        var low = Math.Min(prompt.Rewards.Min(), mean - (2 * sigma));
        var high = Math.Max(prompt.Rewards.Max(), mean + (2 * sigma));
        var pad = Math.Max(0.05 * (high - low), 1e-3);
        Charts.Line(plot, mean, "μ", Charts.Guide);
        foreach (var k in new[] { -2, -1, 1, 2 })
        {
            Charts.Line(plot, mean + (k * sigma), k switch { -2 => "μ−2σ", -1 => "μ−σ", 1 => "μ+σ", _ => "μ+2σ" }, Charts.Guide, LinePattern.Dotted);
        }

        if (prompt.ChosenIndex >= 0)
        {
            var chosen = plot.Add.Marker(prompt.Rewards[prompt.ChosenIndex], 0, MarkerShape.FilledCircle, 14, Charts.Chosen);
            chosen.LegendText = $"chosen ({prompt.ChosenPosition})";
            var rejected = plot.Add.Marker(prompt.Rewards[prompt.RejectedIndex], 0, MarkerShape.FilledCircle, 14, Charts.Rejected);
            rejected.LegendText = $"rejected ({prompt.RejectedPosition})";
            plot.ShowLegend(Alignment.UpperLeft);
        }

        plot.Axes.SetLimitsX(low - pad, high + pad);
        Charts.Save(plot, folder, file);
    }

    private static void TrainingCurve(IReadOnlyList<TrainProgress> history, string folder, string file, string title, string y, Func<TrainProgress, double> value)
    {
        var points = history.Where(p => double.IsFinite(value(p))).ToArray();
        var plot = Charts.New(title, "step", y);
        if (points.Length > 0)
        {
            plot.Add.Scatter(points.Select(p => (double)p.Step).ToArray(), points.Select(value).ToArray());
        }

        Charts.Save(plot, folder, file);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..37] + "…";

    private static string Html(RunReportData data, List<(string File, string Caption)> figures)
    {
        string F(double v) => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";
        var run = data.Run;
        var s = run.Selection ?? new SelectionSummary();
        var job = run.Training;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PrefSuite run ").Append(WebUtility.HtmlEncode(data.RunId)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{text-align:left;background:#f4f4f4}figure{margin:1.5em 0}img{max-width:100%}figcaption{color:#555}</style></head><body>");
        html.Append("<h1>PrefSuite run <code>").Append(WebUtility.HtmlEncode(data.RunId)).Append("</code></h1>");
        html.Append("<p>State: <b>").Append(run.State.ToString().ToUpperInvariant()).Append("</b>. ")
            .Append(run.Spec.Prompts.Count).Append(" prompts × ").Append(run.Spec.Sampling?.N).Append(" samples, strategy ")
            .Append(WebUtility.HtmlEncode(run.Spec.Strategy?.Strategy.ToString() ?? "SweetSpot")).Append(".</p>");
        html.Append("<table><tr><th>measure</th><th>value</th></tr>");
        void Row(string name, string value) => html.Append("<tr><th>").Append(name).Append("</th><td id=\"").Append(name.Replace(' ', '-')).Append("\">").Append(value).Append("</td></tr>");
        Row("prompts", s.Prompts.ToString(CultureInfo.InvariantCulture));
        Row("flat prompts", s.FlatPrompts.ToString(CultureInfo.InvariantCulture));
        Row("candidate pairs", s.CandidatePairs.ToString(CultureInfo.InvariantCulture));
        Row("kept pairs", s.Kept.ToString(CultureInfo.InvariantCulture));
        Row("routed to SFT", s.RoutedToSft.ToString(CultureInfo.InvariantCulture));
        Row("mean chosen reward", F(s.MeanChosenReward));
        Row("mean rejected reward", F(s.MeanRejectedReward));
        Row("mean best sample reward", F(data.MeanBestReward));
        Row("flagged comparisons", data.FlaggedPerPrompt.Sum().ToString(CultureInfo.InvariantCulture));
        if (job is not null)
        {
            Row("training steps", job.TotalSteps.ToString(CultureInfo.InvariantCulture));
            Row("checkpoint", WebUtility.HtmlEncode(job.CheckpointVersion));
            if (double.IsFinite(job.RewardBefore))
            {
                Row("held-out reward before", F(job.RewardBefore));
                Row("held-out reward after", F(job.RewardAfter));
                Row("held-out exact match before", F(job.SuccessBefore));
                Row("held-out exact match after", F(job.SuccessAfter));
            }

            if (job.HeldOutPairs > 0)
            {
                Row("held-out pairs", job.HeldOutPairs.ToString(CultureInfo.InvariantCulture));
                Row("held-out implicit-reward accuracy", F(job.HeldOutAccuracy));
                Row("held-out mean implicit margin β·h", F(job.HeldOutMargin));
            }
        }

        html.Append("</table>");
        if (run.Rounds.Count > 0)
        {
            // An iterative run: the table above and the figures are of its last round; one row per round here.
            html.Append("<h2>Rounds</h2><table id=\"rounds\"><tr><th>round</th><th>policy sampled</th><th>prompts</th><th>pairs</th><th>mean chosen reward</th><th>mean rejected reward</th><th>held-out implicit accuracy</th><th>training loss</th><th>checkpoint</th></tr>");
            foreach (var round in run.Rounds)
            {
                html.Append("<tr><td>").Append(round.Round).Append("</td><td>").Append(WebUtility.HtmlEncode(round.Policy)).Append("</td><td>").Append(round.Prompts)
                    .Append("</td><td>").Append(round.Pairs).Append("</td><td>").Append(F(round.MeanChosenReward)).Append("</td><td>").Append(F(round.MeanRejectedReward))
                    .Append("</td><td>").Append(F(round.HeldOutAccuracy)).Append("</td><td>").Append(F(round.TrainingLoss)).Append("</td><td>")
                    .Append(WebUtility.HtmlEncode(round.CheckpointVersion)).Append("</td></tr>");
            }

            html.Append("</table>");
        }

        foreach (var (file, caption) in figures)
        {
            html.Append("<figure><img src=\"").Append(file).Append("\" alt=\"").Append(WebUtility.HtmlEncode(caption)).Append("\"><figcaption>")
                .Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>");
        }

        html.Append("</body></html>\n");
        return html.ToString();
    }
}
