using PrefSuite.SamplingService;

SamplingServiceApp.Build(args).Run();
