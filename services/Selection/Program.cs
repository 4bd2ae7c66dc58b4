using PrefSuite.SelectionService;

SelectionServiceApp.Build(args).Run();
