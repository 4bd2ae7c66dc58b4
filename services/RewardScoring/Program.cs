using PrefSuite.RewardScoringService;

RewardScoringServiceApp.Build(args).Run();
