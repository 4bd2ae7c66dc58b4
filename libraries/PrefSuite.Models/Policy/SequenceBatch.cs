using static TorchSharp.torch;

namespace PrefSuite.Models.Policy;

/// <summary>
/// (prompt, response) token sequences laid out for teacher forcing: input = BOS prompt response[:-1], target = the next
/// token, right-padded; the response mask marks targets that belong to the response (its EOS included).
/// </summary>
public sealed class SequenceBatch : IDisposable
{
    private SequenceBatch(Tensor inputs, Tensor targets, Tensor responseMask, int[] responseLengths)
    {
        Inputs = inputs;
        Targets = targets;
        ResponseMask = responseMask;
        ResponseLengths = responseLengths;
    }

    /// <summary>[B, T] token ids.</summary>
    public Tensor Inputs { get; }

    /// <summary>[B, T] next-token ids (PAD beyond each row).</summary>
    public Tensor Targets { get; }

    /// <summary>[B, T] float: 1 where the target is a response token.</summary>
    public Tensor ResponseMask { get; }

    public int[] ResponseLengths { get; }

    /// <param name="prompts">BOS + prompt tokens per row.</param>
    /// <param name="responses">Response tokens + EOS per row.</param>
    public static SequenceBatch Create(IReadOnlyList<int[]> prompts, IReadOnlyList<int[]> responses, int padId, int context, Device device)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses);
        var rows = prompts.Count;
        var lengths = new int[rows];
        var longest = 0;
        for (var r = 0; r < rows; r++)
        {
            lengths[r] = prompts[r].Length + responses[r].Length - 1;
            if (lengths[r] + 1 > context)
            {
                throw new ArgumentException($"Sequence {r} has {lengths[r] + 1} tokens; the model's context is {context}.");
            }

            longest = Math.Max(longest, lengths[r]);
        }

        var inputs = new long[rows * longest];
        var targets = new long[rows * longest];
        var mask = new float[rows * longest];
        Array.Fill(inputs, padId);
        Array.Fill(targets, padId);
        for (var r = 0; r < rows; r++)
        {
            var sequence = prompts[r].Concat(responses[r]).ToArray();
            var offset = r * longest;
            for (var t = 0; t < lengths[r]; t++)
            {
                inputs[offset + t] = sequence[t];
                targets[offset + t] = sequence[t + 1];
                mask[offset + t] = t + 1 >= prompts[r].Length ? 1f : 0f;
            }
        }

        return new SequenceBatch(
            tensor(inputs, [rows, longest], device: device),
            tensor(targets, [rows, longest], device: device),
            tensor(mask, [rows, longest], device: device),
            responses.Select(r => r.Length).ToArray());
    }

    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        ResponseMask.Dispose();
    }
}
