using PrefSuite.Models.Demo;
using PrefSuite.Science.Demo;

namespace PrefSuite.Models.Rewards;

/// <summary>The demo task's ground truth as a programmatic reward ("sorting").</summary>
public sealed class SortingReward : IProgrammaticReward
{
    public string Name => "sorting";

    public double Score(string prompt, string response, bool ended = true) => SortingTask.Reward(prompt, response, ended);
}

/// <summary>The demo's simulated reward model as a programmatic reward ("sorting-simulated"): ground truth + noise and flips.</summary>
public sealed class SimulatedSortingReward(SimulatedRewardModel model) : IProgrammaticReward
{
    public string Name => "sorting-simulated";

    public SimulatedRewardModel Model { get; } = model;

    public double Score(string prompt, string response, bool ended = true) => Model.Score(prompt, response, ended);
}
