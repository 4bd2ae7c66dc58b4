using PrefSuite.DenoisingService;

DenoisingServiceApp.Build(args).Run();
