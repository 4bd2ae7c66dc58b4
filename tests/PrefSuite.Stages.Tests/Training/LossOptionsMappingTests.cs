using Google.Protobuf;
using PrefSuite.Contracts.V1;
using PrefSuite.Stages.Training;
using PrefSuite.Workflow;

namespace PrefSuite.Stages.Tests.Training;

public class LossOptionsMappingTests
{
    [Fact]
    public void UnsetConstantsAndWeightsTakeTheDefaults()
    {
        var options = new TrainOptions();
        options.Losses.Add(new LossTerm { Kind = LossKind.Robust });
        var training = TrainingJobRunner.PreferenceOptions(options);
        Assert.Equal((0.1, 0.1, 1.0, 5.0, 1.0), (training.Loss.Beta, training.Loss.Epsilon, training.Loss.Alpha, training.Loss.Beta1, training.Loss.Lambda));
        Assert.Equal(1.0, Assert.Single(training.Losses).Weight);
    }

    [Fact]
    public void ZeroIsAValueForEveryOptionalConstantAndWeight()
    {
        var options = new TrainOptions { Epsilon = 0, Alpha = 0, MlRdpoLambda = 0, Beta1 = 2.5 };
        options.Losses.Add(new LossTerm { Kind = LossKind.Sigmoid, Weight = 1 });
        options.Losses.Add(new LossTerm { Kind = LossKind.Sft, Weight = 0 });
        var training = TrainingJobRunner.PreferenceOptions(options);
        Assert.Equal((0.0, 0.0, 2.5, 0.0), (training.Loss.Epsilon, training.Loss.Alpha, training.Loss.Beta1, training.Loss.Lambda));
        Assert.Equal([1.0, 0.0], training.Losses.Select(t => t.Weight));
    }

    [Fact]
    public void PresenceOfZeroSurvivesTheWireAndJson()
    {
        var options = new TrainOptions { Epsilon = 0, Alpha = 0, MlRdpoLambda = 0, Beta1 = 0.5 };
        options.Losses.Add(new LossTerm { Kind = LossKind.Sft, Weight = 0 });
        options.Losses.Add(new LossTerm { Kind = LossKind.Sigmoid });

        var binary = TrainOptions.Parser.ParseFrom(options.ToByteArray());
        var json = TrainOptions.Parser.ParseJson(JsonFormatter.Default.Format(options));
        foreach (var copy in new[] { binary, json })
        {
            Assert.True(copy.HasEpsilon && copy.HasAlpha && copy.HasMlRdpoLambda && copy.HasBeta1);
            Assert.Equal((0.0, 0.0, 0.0, 0.5), (copy.Epsilon, copy.Alpha, copy.MlRdpoLambda, copy.Beta1));
            Assert.True(copy.Losses[0].HasWeight);
            Assert.Equal(0.0, copy.Losses[0].Weight);
            Assert.False(copy.Losses[1].HasWeight);
        }

        var unset = TrainOptions.Parser.ParseFrom(new TrainOptions { Beta = 0.2 }.ToByteArray());
        Assert.False(unset.HasEpsilon || unset.HasAlpha || unset.HasBeta1 || unset.HasMlRdpoLambda);
    }

    [Fact]
    public void AnUnsetOptionalFieldIsNotOnTheWireSoOlderClientsKeepTheirMeaning()
    {
        // A client built before the fields were optional never writes a 0 (proto3 omits default scalars): its request
        // has no epsilon at all and still gets the default. One that sets 0 now writes the field (tag 3, 64-bit).
        Assert.Empty(new TrainOptions().ToByteArray());
        Assert.Equal(new byte[] { 0x19, 0, 0, 0, 0, 0, 0, 0, 0 }, new TrainOptions { Epsilon = 0 }.ToByteArray());
    }

    [Theory]
    [InlineData("epsilon", "options.epsilon")]
    [InlineData("epsilon-half", "options.epsilon")]
    [InlineData("alpha", "options.alpha")]
    [InlineData("beta1", "options.beta1")]
    [InlineData("beta1-zero", "options.beta1")]
    [InlineData("lambda", "options.ml_rdpo_lambda")]
    [InlineData("beta", "options.beta")]
    [InlineData("weight", "options.losses[1].weight")]
    public void MeaninglessValuesAreRefusedNamingTheField(string which, string field)
    {
        var options = which switch
        {
            "epsilon" => new TrainOptions { Epsilon = -0.1 },
            "epsilon-half" => new TrainOptions { Epsilon = 0.5 },
            "alpha" => new TrainOptions { Alpha = -1 },
            "beta1" => new TrainOptions { Beta1 = -5 },
            "beta1-zero" => new TrainOptions { Beta1 = 0 },
            "lambda" => new TrainOptions { MlRdpoLambda = -1 },
            "beta" => new TrainOptions { Beta = -0.1 },
            _ => new TrainOptions(),
        };
        options.Losses.Add(new LossTerm { Kind = LossKind.Sigmoid });
        options.Losses.Add(new LossTerm { Kind = LossKind.Sft, Weight = which == "weight" ? -1 : 1 });
        var error = Assert.Throws<InvalidRequestException>(() => TrainingJobRunner.PreferenceOptions(options));
        Assert.Equal(field, error.Field);
    }
}
