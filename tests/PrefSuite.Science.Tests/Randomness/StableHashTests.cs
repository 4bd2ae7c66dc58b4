using System.Text;
using CsCheck;
using PrefSuite.Science.Randomness;

namespace PrefSuite.Science.Tests.Randomness;

public class StableHashTests
{
    [Fact]
    public void TheHashOfUtf8BytesIsTheHashOfTheTextTheyEncode()
    {
        Gen.Select(Gen.String, Gen.Int[0, 0x10FFFF])
            .Sample((text, codePoint) =>
            {
                if (codePoint is >= 0xD800 and <= 0xDFFF)
                {
                    codePoint = 0x1F600;
                }

                var mixed = text + char.ConvertFromUtf32(codePoint) + "ü東京";
                return StableHash.Fnv1a64(mixed) == StableHash.Fnv1a64(Encoding.UTF8.GetBytes(mixed));
            });
    }

    [Fact]
    public void TheHashIsFnv1a64OverTheUtf8Bytes()
    {
        // Published FNV-1a 64 test vectors: "" and "a".
        Assert.Equal(0xCBF29CE484222325UL, StableHash.Fnv1a64(string.Empty));
        Assert.Equal(0xAF63DC4C8601EC8CUL, StableHash.Fnv1a64("a"));
        Assert.Equal(0xAF63DC4C8601EC8CUL, StableHash.Fnv1a64("a"u8));
    }
}
