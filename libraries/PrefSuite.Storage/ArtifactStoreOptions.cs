using System.ComponentModel.DataAnnotations;

namespace PrefSuite.Storage;

/// <summary>Where artifacts live (section "Artifacts"); validated at start, errors naming the key.</summary>
public sealed class ArtifactStoreOptions : IValidatableObject
{
    public const string Section = "Artifacts";

    /// <summary>"filesystem" (default) or "azureblob".</summary>
    public string Kind { get; set; } = "filesystem";

    /// <summary>The folder of the filesystem store.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "prefsuite-artifacts");

    /// <summary>The Azure Storage connection string of the blob store (ConnectionStrings:artifacts).</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The blob container.</summary>
    public string Container { get; set; } = "prefsuite";

    public bool IsBlob => string.Equals(Kind, "azureblob", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsBlob && !string.Equals(Kind, "filesystem", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"{Section}:{nameof(Kind)} is '{Kind}'; use filesystem or azureblob.", [nameof(Kind)]);
        }
        else if (IsBlob && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult($"{Section}:{nameof(Kind)} is azureblob: set ConnectionStrings:artifacts (an Azure Storage connection string).", [nameof(ConnectionString)]);
        }
        else if (IsBlob && (Container.Length is < 3 or > 63 || !Container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            yield return new ValidationResult($"{Section}:{nameof(Container)} '{Container}' is not a container name (3–63 lower-case letters, digits and '-').", [nameof(Container)]);
        }
        else if (!IsBlob && string.IsNullOrWhiteSpace(Root))
        {
            yield return new ValidationResult($"{Section}:{nameof(Root)} is empty.", [nameof(Root)]);
        }
    }

    /// <summary>The store these options describe.</summary>
    public IArtifactStore Create() => IsBlob
        ? new AzureBlobArtifactStore(new Azure.Storage.Blobs.BlobContainerClient(ConnectionString, Container))
        : new FileArtifactStore(Root);
}
