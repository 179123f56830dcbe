/**
 * Runs the simulator on its own, for benchmarks and out-of-process acceptance tests:
 *   node dist/simulator/main.js --port 7070 --seed 1 --vms 40 [--token sim] [--page-size 50] [--host 127.0.0.1]
 * Prints one line with the URL, then serves until SIGINT/SIGTERM. Options come from argv only
 * (src/config.ts is the only reader of the environment).
 */
import { startSimulator, type SimulatorOptions } from "./index";

/** Parses `--name value` flags into simulator options; throws naming a bad flag. */
export function parseArgs(argv: readonly string[]): SimulatorOptions {
  const options: SimulatorOptions = {};
  const int = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got '${value ?? ""}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case "--port":
        options.port = int(flag, value);
        break;
      case "--seed":
        options.seed = int(flag, value);
        break;
      case "--vms":
        options.size = int(flag, value);
        break;
      case "--page-size":
        options.pageSize = int(flag, value);
        break;
      case "--token":
        if (!value) throw new Error("--token needs a value");
        options.token = value;
        break;
      case "--host":
        if (!value) throw new Error("--host needs a value");
        options.host = value;
        break;
      default:
        throw new Error(`unknown flag '${flag ?? ""}' (known: --port, --seed, --vms, --page-size, --token, --host)`);
    }
    i += 1;
  }
  return options;
}

async function main(): Promise<void> {
  const sim = await startSimulator({ port: 7070, ...parseArgs(process.argv.slice(2)) });
  const subs = sim.estate.subscriptions.map((s) => s.id).join(",");
  process.stdout.write(`ARM simulator listening on ${sim.url} (subscriptions: ${subs})\n`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
