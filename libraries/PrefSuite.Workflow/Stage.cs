namespace PrefSuite.Workflow;

/// <summary>The steps of a run: four per prompt, then two for the whole run.</summary>
public enum Stage
{
    /// <summary>N responses per prompt.</summary>
    Sample,

    /// <summary>A reward vector per response.</summary>
    Score,

    /// <summary>Robust PCA of each prompt's comparisons.</summary>
    Denoise,

    /// <summary>Each prompt stored for the dataset step; a prompt that finished this stage is finished.</summary>
    Select,

    /// <summary>Dataset-level selection over every finished prompt.</summary>
    SelectDataset,

    /// <summary>Preference training on the dataset (or the default policy's SFT).</summary>
    Train,

    /// <summary>The Less-is-More warm-up: brief training on a random share of the pairs, for implicit rewards (a job on the training queue).</summary>
    Warmup,

    /// <summary>
    /// A warm-up round's first dataset step: every candidate pair, for the warm-up to train on. Its own stage, unit id
    /// and artifact, so a late answer to it is never taken for the round's final selection.
    /// </summary>
    SelectCandidates,
}

/// <summary>Where messages go: each stage's queue, and the events the workflow consumes.</summary>
public enum Topic
{
    Sample,
    Score,
    Denoise,
    Select,
    Train,
    Events,
}

/// <summary>The one home of stage and topic names as they appear on the wire, in unit ids and in queue names.</summary>
public static class StageNames
{
    private static readonly Stage[] All = Enum.GetValues<Stage>();

    /// <summary>"sample", "score", "denoise", "select", "select-dataset", "train".</summary>
    public static string Name(this Stage stage) => stage switch
    {
        Stage.Sample => "sample",
        Stage.Score => "score",
        Stage.Denoise => "denoise",
        Stage.Select => "select",
        Stage.SelectDataset => "select-dataset",
        Stage.Train => "train",
        Stage.Warmup => "warmup",
        Stage.SelectCandidates => "select-candidates",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    public static bool TryParse(string? name, out Stage stage)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name(), name, StringComparison.Ordinal))
            {
                stage = candidate;
                return true;
            }
        }

        stage = default;
        return false;
    }

    /// <summary>The stage a name denotes; an unknown name is an invalid request naming <paramref name="field"/>.</summary>
    public static Stage Parse(string? name, string field = "stage") =>
        TryParse(name, out var stage) ? stage : throw new InvalidRequestException(field, $"'{name}' is not a stage (sample, score, denoise, select, select-dataset, train, warmup, select-candidates)");

    /// <summary>"sample", …, "train", "events".</summary>
    public static string Name(this Topic topic) => topic switch
    {
        // Topic.Train is not Stage.Train's number (SelectDataset has no topic): without this arm its queue was "prefsuite.select-dataset".
        Topic.Train => Stage.Train.Name(),
        Topic.Events => "events",
        _ => ((Stage)(int)topic).Name(),
    };

    /// <summary>The RabbitMQ queue of a topic: "prefsuite.sample", …, "prefsuite.events".</summary>
    public static string QueueName(this Topic topic) => "prefsuite." + topic.Name();

    /// <summary>The queue a stage's messages travel on (dataset selection shares the selection queue, the warm-up the training queue).</summary>
    public static Topic TopicOf(this Stage stage) => stage switch
    {
        Stage.SelectDataset or Stage.SelectCandidates => Topic.Select,
        Stage.Train => Topic.Train,
        Stage.Warmup => Topic.Train,
        _ => (Topic)(int)stage,
    };

    /// <summary>Every topic, in pipeline order, events last.</summary>
    public static IReadOnlyList<Topic> Topics { get; } = Enum.GetValues<Topic>();

    /// <summary>The stage topics (every topic but events).</summary>
    public static IReadOnlyList<Topic> StageTopics { get; } = [Topic.Sample, Topic.Score, Topic.Denoise, Topic.Select, Topic.Train];
}
