using System.Xml.Linq;

namespace PrefSuite.AppHost.Tests;

/// <summary>What goes into each service's container image, read from the projects (the image build itself needs a registry).</summary>
public sealed class ServiceImageTests
{
    private static readonly string Repository = DeploymentManifestTests.Published.Repository;

    private static readonly Dictionary<string, string> Services = new(StringComparer.Ordinal)
    {
        ["sampling"] = "services/Sampling/PrefSuite.SamplingService.csproj",
        ["scoring"] = "services/RewardScoring/PrefSuite.RewardScoringService.csproj",
        ["denoising"] = "services/Denoising/PrefSuite.DenoisingService.csproj",
        ["selection"] = "services/Selection/PrefSuite.SelectionService.csproj",
        ["training"] = "services/Training/PrefSuite.TrainingService.csproj",
        ["pipeline"] = "services/Pipeline/PrefSuite.PipelineService.csproj",
    };

    [Theory]
    [InlineData("denoising")]
    [InlineData("selection")]
    [InlineData("pipeline")]
    public void ServicesThatRunNoModelReferenceNoNativeModelRuntime(string service)
    {
        var reachable = ProjectsReachableFrom(Path.Combine(Repository, Services[service]));
        Assert.DoesNotContain(reachable, p => Path.GetFileName(p) is "PrefSuite.Models.csproj" or "PrefSuite.Stages.Models.csproj");
        Assert.Contains(reachable, p => Path.GetFileName(p) == "PrefSuite.Stages.csproj");
    }

    [Theory]
    [InlineData("sampling")]
    [InlineData("scoring")]
    [InlineData("training")]
    public void ServicesThatRunModelsReachTheModels(string service) =>
        Assert.Contains(ProjectsReachableFrom(Path.Combine(Repository, Services[service])), p => Path.GetFileName(p) == "PrefSuite.Models.csproj");

    [Fact]
    public void EveryServiceNamesItsImageAndSharesTheNonRootUserAndPorts()
    {
        foreach (var (service, project) in Services)
        {
            var document = XDocument.Load(Path.Combine(Repository, project));
            Assert.Equal($"prefsuite-{service}", document.Descendants("ContainerRepository").Single().Value);
            Assert.Contains(document.Descendants("ContainerLabel"), l => (string?)l.Attribute("Include") == "org.opencontainers.image.title");
        }

        var shared = XDocument.Load(Path.Combine(Repository, "services", "Directory.Build.props"));
        Assert.Equal("app", shared.Descendants("ContainerUser").Single().Value);
        Assert.Equal(
            [Stages.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Stages.HealthPort.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            shared.Descendants("ContainerPort").Select(p => (string)p.Attribute("Include")!));
    }

    private static HashSet<string> ProjectsReachableFrom(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                var include = ((string)reference.Attribute("Include")!).Replace('\\', Path.DirectorySeparatorChar);
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include)));
            }
        }

        return seen;
    }
}
