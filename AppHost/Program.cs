using PrefSuite.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var infrastructure = Infrastructure.Add(builder);
Stages.Add(builder, infrastructure);
builder.Build().Run();
infrastructure.CleanUpAfterExit();
