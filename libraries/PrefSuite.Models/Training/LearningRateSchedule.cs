namespace PrefSuite.Models.Training;

/// <summary>Linear warm-up to the base rate, then cosine decay to zero at the last step (or constant when cosine is off).</summary>
public sealed record LearningRateSchedule(double BaseRate, int WarmupSteps, int TotalSteps, bool Cosine = true)
{
    public double At(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
        {
            return BaseRate * (step + 1) / WarmupSteps;
        }

        if (!Cosine || TotalSteps <= WarmupSteps)
        {
            return BaseRate;
        }

        var progress = Math.Clamp((double)(step - WarmupSteps) / (TotalSteps - WarmupSteps), 0, 1);
        return BaseRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
