
namespace PrefSuite.Workflow;

/// <summary>Progress of an embedded run: a stage's units done out of its total, with a line of news.</summary>
public sealed record PipelineProgress(string Stage, int Done, int Total, string Message, Contracts.V1.TrainProgress? Training = null);
