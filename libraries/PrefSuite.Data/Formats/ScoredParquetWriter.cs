using Parquet;
using Parquet.Schema;
using PrefSuite.Data.Files;

namespace PrefSuite.Data.Formats;

/// <summary>
/// Scored prompts as Parquet, every field kept: prompt_id, prompt (string or messages) and responses as
/// list&lt;struct&lt;text, reward, rewards: struct&lt;one float per head&gt;, implicit_reward, logprob, denoised_reward&gt;&gt; —
/// the shape Hugging Face datasets gives the JSONL. Two passes over the prompts: the head names, then the rows.
/// </summary>
public static class ScoredParquetWriter
{
    public static Task<long> WriteAsync(string path, Func<IAsyncEnumerable<ScoredPrompt>> prompts, CancellationToken cancellationToken = default) =>
        WriteAsync(path, prompts, prompts, cancellationToken);

    /// <summary>
    /// Writes <paramref name="prompts"/>; the head names (and whether prompts are conversations) come from a first pass
    /// over <paramref name="schema"/>, which may be a cheaper source of the same prompts.
    /// </summary>
    public static async Task<long> WriteAsync(string path, Func<IAsyncEnumerable<ScoredPrompt>> schema, Func<IAsyncEnumerable<ScoredPrompt>> prompts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(prompts);
        var heads = new SortedSet<string>(StringComparer.Ordinal);
        bool? conversational = null;
        await foreach (var prompt in schema().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            conversational ??= prompt.Prompt.IsConversational;
            foreach (var response in prompt.Responses)
            {
                heads.UnionWith(response.Rewards?.Keys ?? []);
            }
        }

        long count = 0;
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var id = new StringColumn("prompt_id");
            ParquetColumn promptColumn = conversational == true ? new MessagesColumn("prompt") : new StringColumn("prompt");
            var responses = new ResponsesColumn([.. heads]);
            await using var table = await ParquetTable.CreateAsync(stream, [id, promptColumn, responses], ct).ConfigureAwait(false);
            await foreach (var prompt in prompts().WithCancellation(ct).ConfigureAwait(false))
            {
                if (prompt.Prompt.IsConversational != (conversational == true))
                {
                    throw new DataFormatException(prompt.SourceFile ?? path, prompt.Source, "prompt",
                        "mixes plain-text and conversational prompts with earlier rows; a Parquet column holds one type");
                }

                id.Add(prompt.PromptId);
                if (promptColumn is MessagesColumn messages)
                {
                    messages.Add(prompt.Prompt.Messages);
                }
                else
                {
                    ((StringColumn)promptColumn).Add(prompt.Prompt.Text);
                }

                responses.Add(prompt.Responses);
                await table.EndRowAsync(prompt.Responses.Sum(r => (long)r.Text.Length + 64), ct).ConfigureAwait(false);
            }

            await table.CompleteAsync(ct).ConfigureAwait(false);
            count = table.RowCount;
        }, cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>The responses column, striped by hand: a list (levels 1–2) of optional structs (3) of optional fields (4), heads one level deeper (5).</summary>
    private sealed class ResponsesColumn : ParquetColumn
    {
        private readonly DataField<string> _text = new("text");
        private readonly Leaf _reward = new("reward");
        private readonly Leaf _implicit = new("implicit_reward");
        private readonly Leaf _logprob = new("logprob");
        private readonly Leaf _denoised = new("denoised_reward");
        private readonly string[] _headNames;
        private readonly Leaf[] _heads;
        private readonly ListField _field;
        private readonly List<ReadOnlyMemory<char>> _texts = [];
        private readonly List<int> _textDefinitions = [];
        private readonly List<int> _repetitions = [];

        public ResponsesColumn(string[] heads)
        {
            _headNames = heads;
            _heads = [.. heads.Select(h => new Leaf(h))];
            var element = new List<Field> { _text, _reward.Field };
            if (heads.Length > 0)
            {
                element.Add(new StructField("rewards", [.. _heads.Select(h => h.Field)]));
            }

            element.AddRange([_implicit.Field, _logprob.Field, _denoised.Field]);
            _field = new ListField("responses", new StructField("element", [.. element]));
        }

        public override Field Field => _field;

        public void Add(IReadOnlyList<ScoredResponse> responses)
        {
            if (responses.Count == 0)
            {
                _textDefinitions.Add(1);
                _repetitions.Add(0);
                foreach (var leaf in Leaves())
                {
                    leaf.Definitions.Add(1);
                }

                return;
            }

            for (var i = 0; i < responses.Count; i++)
            {
                var response = responses[i];
                _repetitions.Add(i == 0 ? 0 : 1);
                _texts.Add(response.Text.AsMemory());
                _textDefinitions.Add(4);
                _reward.Add(double.IsFinite(response.Reward) ? response.Reward : null, 4);
                _implicit.Add(response.ImplicitReward, 4);
                _logprob.Add(response.Logprob, 4);
                _denoised.Add(response.DenoisedReward, 4);
                for (var h = 0; h < _heads.Length; h++)
                {
                    if (response.Rewards is null)
                    {
                        _heads[h].Definitions.Add(3); // no heads object
                    }
                    else
                    {
                        _heads[h].Add(response.Rewards.TryGetValue(_headNames[h], out var value) ? value : null, 5);
                    }
                }
            }
        }

        public override async Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            var repetitions = _repetitions.ToArray();
            await group.WriteAllPartsAsync<ReadOnlyMemory<char>>(_text, _texts.ToArray(), _textDefinitions.ToArray(), repetitions, cancellationToken).ConfigureAwait(false);
            await _reward.WriteAsync(group, repetitions, cancellationToken).ConfigureAwait(false);
            foreach (var head in _heads)
            {
                await head.WriteAsync(group, repetitions, cancellationToken).ConfigureAwait(false);
            }

            await _implicit.WriteAsync(group, repetitions, cancellationToken).ConfigureAwait(false);
            await _logprob.WriteAsync(group, repetitions, cancellationToken).ConfigureAwait(false);
            await _denoised.WriteAsync(group, repetitions, cancellationToken).ConfigureAwait(false);
        }

        public override void Clear()
        {
            _texts.Clear();
            _textDefinitions.Clear();
            _repetitions.Clear();
            foreach (var leaf in Leaves())
            {
                leaf.Clear();
            }
        }

        private IEnumerable<Leaf> Leaves() => [_reward, _implicit, _logprob, _denoised, .. _heads];

        /// <summary>A float leaf: its dense values and one definition level per entry.</summary>
        private sealed class Leaf(string name)
        {
            private readonly List<double> _values = [];

            public DataField<double?> Field { get; } = new(name);

            public List<int> Definitions { get; } = [];

            /// <summary>A value at <paramref name="present"/>, or null one level below.</summary>
            public void Add(double? value, int present)
            {
                if (value is { } v && double.IsFinite(v))
                {
                    _values.Add(v);
                    Definitions.Add(present);
                }
                else
                {
                    Definitions.Add(present - 1);
                }
            }

            public Task WriteAsync(ParquetRowGroupWriter group, int[] repetitions, CancellationToken cancellationToken) =>
                group.WriteAllPartsAsync<double>(Field, _values.ToArray(), Definitions.ToArray(), repetitions, cancellationToken);

            public void Clear()
            {
                _values.Clear();
                Definitions.Clear();
            }
        }
    }
}
