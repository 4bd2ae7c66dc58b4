using PrefSuite.Models.Policy;

namespace PrefSuite.Models.Training;

/// <summary>Saves and restores training checkpoints (policy, optimizer state, trainer state) as one folder, atomically.</summary>
public static class TrainerCheckpoints
{
    public static void Save(string folder, PolicyModel policy, FlatAdamW optimizer, TrainerState state)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        var target = Path.GetFullPath(folder);
        var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(temporary);
        try
        {
            policy.SaveTrainableState(Path.Combine(temporary, TrainerState.TrainableFile));
            optimizer.Save(Path.Combine(temporary, TrainerState.OptimizerFile));
            state.Save(temporary);
            var previous = target + ".previous";
            if (Directory.Exists(previous))
            {
                Directory.Delete(previous, recursive: true);
            }

            if (Directory.Exists(target))
            {
                Directory.Move(target, previous);
            }

            Directory.Move(temporary, target);
            if (Directory.Exists(previous))
            {
                Directory.Delete(previous, recursive: true);
            }
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }

    /// <summary>
    /// Restores the policy weights and optimizer state from <paramref name="folder"/> when it holds a checkpoint of the
    /// same stage and data; returns its state, or null when there is nothing to resume.
    /// </summary>
    public static TrainerState? TryResume(string? folder, PolicyModel policy, FlatAdamW optimizer, string stage, string dataHash)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (folder is not null && !Directory.Exists(folder) && Directory.Exists(folder + ".previous"))
        {
            folder += ".previous"; // a save was interrupted between its two renames
        }

        var state = TrainerState.TryLoad(folder);
        if (state is null)
        {
            return null;
        }

        if (state.Stage != stage || state.DataHash != dataHash)
        {
            throw new InvalidOperationException(
                $"The checkpoint in '{folder}' is from another run (stage {state.Stage}, data {state.DataHash[..Math.Min(12, state.DataHash.Length)]}); use another checkpoint folder or delete it.");
        }

        policy.LoadTrainableState(Path.Combine(folder!, TrainerState.TrainableFile));
        optimizer.Load(Path.Combine(folder!, TrainerState.OptimizerFile));
        return state;
    }
}
