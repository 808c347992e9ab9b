using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Beltline.Benchmarks -- --filter '*' [--launchCount 1 --warmupCount 5 --iterationCount 15]
// Any BenchmarkDotNet argument works: --filter '*Storage*', --job short, --list flat, ...
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
