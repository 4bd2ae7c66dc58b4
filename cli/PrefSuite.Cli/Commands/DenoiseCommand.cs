using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PrefSuite.Data;
using PrefSuite.Data.Files;
using PrefSuite.Data.Matrices;
using PrefSuite.Science.Denoising;
using PrefSuite.Science.LinearAlgebra;

namespace PrefSuite.Cli.Commands;

/// <summary><c>prefsuite denoise</c>: robust PCA of a preference matrix, with the recovered ranking.</summary>
internal static class DenoiseCommand
{
    private static readonly JsonSerializerOptions ReportJson = new() { WriteIndented = true };

    public static Command Create()
    {
        var matrix = new Option<FileInfo?>("--matrix", "-m") { Description = "The square preference matrix M[i,j] = logit of response i over j (CSV, no header; empty or NaN = missing)." };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "Or scored prompts (JSONL or Parquet, any layout select reads): each prompt's reward heads are the judges; every response gets a denoised_reward that select uses." };
        var outputDir = new Option<string>("--output-dir", "-o", "--output") { Description = "With --matrix: the folder for low_rank.csv, sparse.csv, scores.csv and report.json. With --input: the denoised file (JSONL, or Parquet when it ends in .parquet).", Required = true };
        var mask = new Option<FileInfo?>("--mask") { Description = "Observed entries (CSV of 1/0); missing entries are completed." };
        var tolerance = new Option<double>("--tol") { Description = "Stop when ‖M − L − S‖_F / ‖M‖_F falls below this.", DefaultValueFactory = _ => 1e-7 };
        var lambda = new Option<double?>("--lambda") { Description = "Weight of the sparse term (default 1/√max(m, n))." };
        var fullSvd = new Option<bool>("--full-svd") { Description = "Use a full SVD at every iteration instead of the truncated one." };
        var maxIterations = new Option<int>("--max-iterations") { Description = "Iteration limit.", DefaultValueFactory = _ => 1000 };

        var command = new Command("denoise", "Robust PCA (inexact ALM) of a preference matrix, or of every prompt of a scored file: M = L + S, flagged entries, Bradley–Terry scores.")
        {
            matrix, input, outputDir, mask, tolerance, lambda, fullSvd, maxIterations,
        };
        var columns = new DatasetFlags().AddTo(command);
        command.SetStageAction(async (parse, stdout, stderr, cancellationToken) =>
        {
            var tol = parse.GetValue(tolerance);
            if (!(tol > 0 && tol < 1))
            {
                throw new OptionException($"--tol: must lie in (0, 1), got {tol}.");
            }

            if (parse.GetValue(input) is { } dataset)
            {
                var notes = new Data.Formats.FieldNotes();
                var read = new Data.Formats.ScoredReadOptions { Mapping = columns.Mapping(parse), Strict = columns.Strict(parse), Notes = notes };
                var denoise = new Contracts.V1.DenoiseOptions { Tolerance = tol, MaxIterations = parse.GetValue(maxIterations), FullSvd = parse.GetValue(fullSvd) };
                if (parse.GetValue(lambda) is { } l)
                {
                    denoise.SparseWeight = l;
                }

                await DenoiseDataset.RunAsync(dataset.FullName, Path.GetFullPath(parse.GetValue(outputDir)!), read, denoise, stderr, cancellationToken).ConfigureAwait(false);
                return;
            }

            var matrixPath = parse.GetValue(matrix)?.FullName ?? throw new OptionException("give --matrix (a CSV matrix) or --input (scored prompts).");
            var m = await MatrixCsv.ReadAsync(matrixPath, cancellationToken).ConfigureAwait(false);
            if (!m.IsSquare)
            {
                throw new DataFormatException(matrixPath, 0, null, $"a preference matrix must be square (one row and one column per response); this one is {m.Rows}×{m.Columns}");
            }

            bool[]? observed = null;
            if (parse.GetValue(mask) is { } maskFile)
            {
                observed = await MatrixCsv.ReadMaskAsync(maskFile.FullName, m.Rows, m.Columns, cancellationToken).ConfigureAwait(false);
            }

            CheckMissingAreMasked(matrixPath, m, observed);
            var options = new RobustPcaOptions
            {
                Tolerance = tol,
                Lambda = parse.GetValue(lambda),
                Svd = parse.GetValue(fullSvd) ? SvdMode.Full : SvdMode.Auto,
                MaxIterations = parse.GetValue(maxIterations) >= 1 ? parse.GetValue(maxIterations) : throw new OptionException("--max-iterations: must be at least 1."),
            };

            var clock = Stopwatch.StartNew();
            var result = RobustPca.Decompose(m, observed, options);
            var seconds = clock.Elapsed.TotalSeconds;
            var scores = PreferenceMatrix.RowMeanScores(result.LowRank);
            var raw = PreferenceMatrix.RowMeanScores(m, observed ?? MaskOfFinite(m));
            double? tau = !raw.Any(double.IsNaN) ? Science.Statistics.KendallTau.TauB(raw, scores) : null;

            var folder = Path.GetFullPath(parse.GetValue(outputDir)!);
            Directory.CreateDirectory(folder);
            await MatrixCsv.WriteAsync(Path.Combine(folder, "low_rank.csv"), result.LowRank, cancellationToken).ConfigureAwait(false);
            await MatrixCsv.WriteAsync(Path.Combine(folder, "sparse.csv"), result.Sparse, cancellationToken).ConfigureAwait(false);
            await AtomicFile.WriteAllTextAsync(Path.Combine(folder, "scores.csv"), "score\n" + string.Join("\n", scores.Select(s => s.ToString("R", CultureInfo.InvariantCulture))) + "\n", cancellationToken).ConfigureAwait(false);
            var report = new
            {
                rows = m.Rows,
                columns = m.Columns,
                observed = observed?.Count(o => o) ?? m.Data.Length,
                iterations = result.Iterations,
                residual = result.Residual,
                converged = result.Converged,
                rank = result.Rank,
                flagged = result.Flagged,
                kendall_tau_raw_vs_denoised = tau is { } t && double.IsFinite(t) ? t : (double?)null,
                full_svd_iterations = result.FullSvdIterations,
                seconds,
            };
            await AtomicFile.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, ReportJson) + "\n", cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{m.Rows}×{m.Columns}: {(result.Converged ? "converged" : "NOT converged")} in {result.Iterations} iterations, residual {result.Residual:E2}, rank {result.Rank}, flagged {result.Flagged}, {seconds:F2} s")).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>A missing cell (empty or NaN) must be masked out; otherwise the user meant a number and should say which.</summary>
    private static void CheckMissingAreMasked(string path, DenseMatrix m, bool[]? observed)
    {
        for (var i = 0; i < m.Data.Length; i++)
        {
            if (double.IsNaN(m.Data[i]) && (observed is null || observed[i]))
            {
                throw new DataFormatException(path, 0, $"row {(i / m.Columns) + 1}, column {(i % m.Columns) + 1}",
                    observed is null ? "is missing or NaN; give --mask with 0 there to complete it" : "is missing or NaN but the mask marks it observed");
            }
        }
    }

    private static bool[] MaskOfFinite(DenseMatrix m) => m.Data.Select(double.IsFinite).ToArray();
}
