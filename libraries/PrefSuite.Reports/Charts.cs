using ScottPlot;

namespace PrefSuite.Reports;

/// <summary>Shared plot settings: the bundled font (so text renders on machines without fonts), sizes, colours.</summary>
internal static class Charts
{
    public const string FontName = "PrefSuite Sans";
    public const int Width = 720;
    public const int Height = 420;

    private static readonly Lazy<bool> FontRegistered = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf");
        if (!File.Exists(path))
        {
            return false;
        }

        Fonts.AddFontFile(FontName, path);
        return true;
    });

    public static Color Chosen => Colors.ForestGreen;

    public static Color Rejected => Colors.Crimson;

    public static Color Guide => Colors.SlateGray;

    public static Plot New(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(FontRegistered.Value ? FontName : Fonts.Default);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    public static void Histogram(Plot plot, IReadOnlyList<double> values, int bins = 30)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return;
        }

        var (min, max) = (finite.Min(), finite.Max());
        if (min == max)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, min, max);
        histogram.AddRange(finite);
        plot.Add.Histogram(histogram);
    }

    public static void Line(Plot plot, double x, string label, Color color, LinePattern? pattern = null)
    {
        if (!double.IsFinite(x))
        {
            return;
        }

        var line = plot.Add.VerticalLine(x);
        line.Text = label;
        line.Color = color;
        line.LinePattern = pattern ?? LinePattern.Solid;
        line.LabelOppositeAxis = true;
    }

    public static void Save(Plot plot, string folder, string file) => plot.SavePng(Path.Combine(folder, file), Width, Height);
}
