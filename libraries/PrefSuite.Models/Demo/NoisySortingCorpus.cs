using PrefSuite.Science.Demo;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Models.Demo;

/// <summary>
/// The demo's noisy SFT demonstrations (DEMO-TASK.md): 40% correct, 40% with one or two edits (substitution, adjacent
/// swap, deletion, insertion), 20% degenerate (truncated, empty, the input echoed unsorted, or random digits). Their mean
/// ground-truth reward is about 0.76, so the SFT policy's samples range from excellent to degenerate.
/// </summary>
public sealed class NoisySortingCorpus
{
    private readonly SortingTaskShape _shape;
    private SplitMix64 _random;

    public NoisySortingCorpus(ulong seed, SortingTaskShape? shape = null)
        : this(new SplitMix64(seed), shape)
    {
    }

    public NoisySortingCorpus(SplitMix64 state, SortingTaskShape? shape = null)
    {
        _random = state;
        _shape = shape ?? SortingTaskShape.Standard;
    }

    /// <summary>The generator state, saved with training checkpoints so a resumed run draws the same batches.</summary>
    public SplitMix64 State => _random;

    /// <summary>One fresh (prompt, response) demonstration.</summary>
    public (string Prompt, string Response) Next()
    {
        var digits = new int[_shape.MinDigits + _random.NextInt(_shape.MaxDigits - _shape.MinDigits + 1)];
        for (var i = 0; i < digits.Length; i++)
        {
            digits[i] = _random.NextInt(10);
        }

        var prompt = "sort " + string.Join(' ', digits) + " =";
        var sorted = digits.Order().ToList();
        var kind = _random.NextDouble();
        List<int> response;
        if (kind < 0.4)
        {
            response = sorted;
        }
        else if (kind < 0.8)
        {
            response = sorted;
            var edits = 1 + _random.NextInt(2);
            for (var e = 0; e < edits; e++)
            {
                Edit(response);
            }
        }
        else
        {
            response = _random.NextInt(4) switch
            {
                0 => sorted.Take(_random.NextInt(sorted.Count)).ToList(),
                1 => [],
                2 => [.. digits],
                // Up to two digits more than the longest list (10 on the standard task).
                _ => Enumerable.Range(0, 1 + _random.NextInt(_shape.MaxDigits + 2)).Select(_ => _random.NextInt(10)).ToList(),
            };
        }

        return (prompt, string.Join(' ', response));
    }

    private void Edit(List<int> digits)
    {
        switch (_random.NextInt(4))
        {
            case 0 when digits.Count > 0:
                digits[_random.NextInt(digits.Count)] = _random.NextInt(10);
                break;
            case 1 when digits.Count > 1:
                var i = _random.NextInt(digits.Count - 1);
                (digits[i], digits[i + 1]) = (digits[i + 1], digits[i]);
                break;
            case 2 when digits.Count > 1:
                digits.RemoveAt(_random.NextInt(digits.Count));
                break;
            default:
                digits.Insert(_random.NextInt(digits.Count + 1), _random.NextInt(10));
                break;
        }
    }
}
