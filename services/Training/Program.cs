using PrefSuite.TrainingService;

TrainingServiceApp.Build(args).Run();
