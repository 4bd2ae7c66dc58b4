using System.Security.Cryptography;
using System.Text;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>Reads scored prompts from PrefSuite's format or from UltraFeedback exports, validating every field.</summary>
public static class ScoredPromptReader
{
    private static readonly string[] ScoredFields = ["prompt_id", "prompt", "responses"];
    private static readonly string[] ResponseFields = ["text", "reward", "rewards", "implicit_reward", "logprob"];
    private static readonly string[] Aspects = ["helpfulness", "honesty", "instruction_following", "truthfulness"];

    public static async Task<IReadOnlyList<ScoredPrompt>> ReadAllAsync(string path, ScoredReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScoredReadOptions();
        var prompts = new List<ScoredPrompt>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var format = options.Format;
        await foreach (var (line, document) in JsonLines.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            using (document)
            {
                var fields = new JsonFields(path, line, document.RootElement);
                if (format == InputFormat.Auto)
                {
                    format = Detect(fields);
                }

                var prompt = format switch
                {
                    InputFormat.Scored => ReadScored(fields, options),
                    InputFormat.UltraFeedback => ReadUltraFeedback(fields, options),
                    _ => ReadBinarized(fields),
                } with { SourceLine = line, SourceFile = path };

                if (ids.TryGetValue(prompt.PromptId, out var earlier))
                {
                    // PrefSuite's own files must not repeat an id (a merge gone wrong); public datasets do repeat
                    // instructions, so imported rows keep apart by their line.
                    prompt = format == InputFormat.Scored
                        ? throw fields.Error("prompt_id", $"'{prompt.PromptId}' repeats the prompt of line {earlier}")
                        : prompt with { PromptId = $"{prompt.PromptId}-L{line}" };
                }

                ids[prompt.PromptId] = line;
                prompts.Add(prompt);
            }
        }

        return prompts;
    }

    /// <summary>A stable id for a prompt without one: the SHA-256 of its text, as ultrafeedback_binarized does.</summary>
    public static string IdFor(PromptText prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var text = prompt.Text ?? string.Join("\n", prompt.Messages!.Select(m => $"{m.Role}: {m.Content}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static InputFormat Detect(JsonFields fields) =>
        fields.Has("responses") ? InputFormat.Scored
        : fields.Has("completions") ? InputFormat.UltraFeedback
        : fields.Has("chosen") && fields.Has("score_chosen") ? InputFormat.UltraFeedbackBinarized
        : throw fields.Error(null, "cannot tell the format: expected 'responses' (scored), 'completions' (UltraFeedback) or 'chosen' with 'score_chosen' (ultrafeedback_binarized)");

    private static ScoredPrompt ReadScored(JsonFields fields, ScoredReadOptions options)
    {
        fields.RejectUnknown(ScoredFields);
        var prompt = fields.RequireText("prompt");
        var responses = new List<ScoredResponse>();
        foreach (var response in fields.RequireObjects("responses"))
        {
            response.RejectUnknown(ResponseFields);
            var heads = response.OptionalNumberMap("rewards");
            var reward = response.OptionalNumber("reward") ?? (heads is not null
                ? Combine(response, heads, options)
                : options.RequireRewards ? throw response.Error("reward", "is missing (give 'reward', or 'rewards' heads to combine)") : double.NaN);
            responses.Add(new ScoredResponse(response.RequireString("text"), reward, heads, response.OptionalNumber("implicit_reward"), response.OptionalNumber("logprob")));
        }

        if (responses.Count == 0)
        {
            throw fields.Error("responses", "is empty: a prompt needs scored responses");
        }

        return new ScoredPrompt(fields.OptionalString("prompt_id") ?? IdFor(prompt), prompt, responses);
    }

    private static double Combine(JsonFields response, IReadOnlyDictionary<string, double> heads, ScoredReadOptions options)
    {
        try
        {
            return options.HeadWeights.Combine(heads);
        }
        catch (Exception error) when (error is KeyNotFoundException or ArgumentException)
        {
            throw response.Error("rewards", error.Message);
        }
    }

    private static ScoredPrompt ReadUltraFeedback(JsonFields fields, ScoredReadOptions options)
    {
        var prompt = PromptText.FromText(fields.RequireString("instruction"));
        var scoreField = options.UltraFeedbackScore == UltraFeedbackScore.Overall ? "overall_score" : "fine-grained_score";
        var responses = new List<ScoredResponse>();
        foreach (var completion in fields.RequireObjects("completions"))
        {
            var heads = new Dictionary<string, double>(StringComparer.Ordinal);
            if (completion.OptionalObject("annotations") is { } annotations)
            {
                foreach (var aspect in Aspects)
                {
                    if (annotations.OptionalObject(aspect) is { } rating &&
                        rating.OptionalString("Rating") is { } text &&
                        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
                    {
                        heads[aspect] = value;
                    }
                }
            }

            responses.Add(new ScoredResponse(completion.RequireString("response"), completion.RequireNumber(scoreField), heads.Count > 0 ? heads : null));
        }

        if (responses.Count == 0)
        {
            throw fields.Error("completions", "is empty: a prompt needs scored completions");
        }

        return new ScoredPrompt(IdFor(prompt), prompt, responses);
    }

    private static ScoredPrompt ReadBinarized(JsonFields fields)
    {
        var prompt = PromptText.FromText(fields.RequireString("prompt"));
        ScoredResponse[] responses =
        [
            new(fields.RequireResponseText("chosen"), fields.RequireNumber("score_chosen")),
            new(fields.RequireResponseText("rejected"), fields.RequireNumber("score_rejected")),
        ];
        return new ScoredPrompt(fields.OptionalString("prompt_id") ?? IdFor(prompt), prompt, responses);
    }
}
