using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Models.Policy;

/// <summary>The shape of the built-in GPT-style policy. The defaults are the demo task's (about 154k parameters).</summary>
public sealed record PolicyConfig
{
    [Range(1, 64)]
    public int Layers { get; init; } = 3;

    [Range(1, 64)]
    public int Heads { get; init; } = 4;

    /// <summary>d_model; must be a multiple of <see cref="Heads"/>.</summary>
    [Range(8, 8192)]
    public int Width { get; init; } = 64;

    /// <summary>The longest sequence (prompt + response) the model reads.</summary>
    [Range(4, 65536)]
    public int Context { get; init; } = 32;

    public string Tokenizer { get; init; } = Tokenization.SortingTokenizer.TokenizerName;

    public void Validate()
    {
        if (Width % Heads != 0)
        {
            throw new ArgumentException($"The width ({Width}) must be a multiple of the number of heads ({Heads}).");
        }

        var context = new ValidationContext(this);
        Validator.ValidateObject(this, context, validateAllProperties: true);
    }
}
