using System.Text.Json;
using PrefSuite.Data.Rows;
using PrefSuite.Science.Augmentation;

namespace PrefSuite.Data.Formats;

/// <summary>Decodes raw JSON tokens kept as bytes (strings with their quotes, message lists) when a string is needed.</summary>
internal static class JsonTokens
{
    public static string Decode(ReadOnlySpan<byte> token)
    {
        var reader = new Utf8JsonReader(token);
        reader.Read();
        return reader.GetString() ?? string.Empty;
    }

    /// <summary>Decodes a string token, naming the row and field when its bytes are not valid UTF-8.</summary>
    public static string Decode(ReadOnlySpan<byte> token, string file, RowLocation location, string field)
    {
        try
        {
            return Decode(token);
        }
        catch (InvalidOperationException error)
        {
            throw new DataFormatException(file, location, field, $"is not valid text: {error.Message}");
        }
    }

    /// <summary>A message list [{"role", "content"}, …]; <paramref name="needsClose"/> when the bytes stop before the closing bracket.</summary>
    public static List<ChatMessage> Messages(ReadOnlySpan<byte> json, bool needsClose)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: !needsClose, state: default);
        var messages = new List<ChatMessage>();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            string? role = null;
            string? content = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRole = reader.ValueTextEquals("role"u8);
                var isContent = reader.ValueTextEquals("content"u8);
                reader.Read();
                if (isRole)
                {
                    role = reader.GetString();
                }
                else if (isContent)
                {
                    content = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            messages.Add(new ChatMessage(role ?? string.Empty, content ?? string.Empty));
        }

        return messages;
    }
}
