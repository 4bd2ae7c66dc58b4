using PrefSuite.PipelineService;

PipelineServiceApp.Build(args).Run();
