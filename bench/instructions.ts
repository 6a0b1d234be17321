/**
 * `npm run bench:instructions`: the cold-start figure counted in CPU instructions instead of
 * milliseconds. Each function's first request (the same driver, events, sandbox and memory:
 * store as `npm run bench`'s cold-start figure) runs in a fresh node under valgrind, next to the
 * same references: an empty node and one bare node:http request.
 *
 * Why: the cold-start figure is wall time on a shared 2-core VM, where the same bundles'
 * medians move by 10-20 ms from one run to the next, so a change worth 1-2 ms cannot be told
 * from noise. These counts repeat to a few thousand instructions in 160 million, whatever else
 * the machine is doing. A count is not a time: the README gives the ratio seen against the
 * cold-start figure on a quick host.
 *
 *   npx tsx bench/instructions.ts [--dist dir[,dir…]] [function …]
 *
 * With several dist directories (copies of `dist` built from different commits), each row also
 * shows its difference from the first directory's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch } from 'node:os';
import { join, resolve } from 'node:path';
import { functionNames } from '../scripts/build';
import { functionEnv, startBenchSandbox } from './bench-sandbox';
import { createCleanup } from './cleanup';
import { FIRST_INVOCATIONS } from './cold-start-invocations';
import { DRIVER, sendsToInvokeOn } from './cold-start';
import { renderText, type Section } from './table';

/** cachegrind's summary line on stderr: `==123== I   refs:      164,812,345`. */
export function parseInstructionCount(stderr: string): number | undefined {
  const match = /\bI\s+refs:\s+([\d,]+)/.exec(stderr);
  return match ? Number(match[1]!.replace(/,/g, '')) : undefined;
}

/**
 * What makes two runs of the same bundle count the same: address-space randomisation off
 * (setarch -R) and V8's random seed fixed (`--random-seed`), which is otherwise drawn per
 * process. `--hash-seed` is left alone on purpose: it changes V8's flag hash, V8 then refuses
 * the code cache Node ships for its own modules, and every built-in is compiled from source
 * (node:crypto counted 52 million instead of 13).
 */
export function countedCommand(nodeArgs: readonly string[]): string[] {
  return [
    'setarch',
    arch() === 'arm64' ? 'aarch64' : 'x86_64',
    '-R',
    'valgrind',
    '--tool=cachegrind',
    '--cache-sim=no',
    '--cachegrind-out-file=/dev/null',
    process.execPath,
    '--random-seed=1',
    ...nodeArgs,
  ];
}

interface Counted {
  instructions: number;
  code: number | null;
  stdout: string;
}

function runCounted(nodeArgs: readonly string[], env: Record<string, string>): Promise<Counted> {
  const [command, ...args] = countedCommand(nodeArgs);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command!, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // About 50 times slower than native: a cold invocation takes 5-10 s under valgrind.
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const instructions = parseInstructionCount(stderr);
      if (instructions === undefined) reject(new Error(`no instruction count: ${stderr.slice(-400)}`));
      else resolvePromise({ instructions, code, stdout });
    });
  });
}

const millions = (n: number) => (n / 1e6).toFixed(1);
const signedMillions = (n: number) => `${n >= 0 ? '+' : '−'}${millions(Math.abs(n))}`;

function toolsMissing(): string | undefined {
  const path = (process.env.PATH ?? '').split(':');
  const missing = ['valgrind', 'setarch'].filter((tool) => !path.some((dir) => existsSync(join(dir, tool))));
  return missing.length ? `needs ${missing.join(' and ')} (Debian: apt-get install valgrind util-linux)` : undefined;
}

async function main(): Promise<void> {
  const problem = toolsMissing();
  if (problem) {
    console.error(`bench:instructions ${problem}`);
    process.exit(2);
  }
  const argv = process.argv.slice(2);
  const distAt = argv.indexOf('--dist');
  const dists = (distAt >= 0 ? argv[distAt + 1]! : 'dist').split(',').map((dir) => resolve(dir));
  const wanted = argv.filter((arg, i) => !arg.startsWith('--') && (distAt < 0 || i !== distAt + 1));
  const names = (wanted.length ? wanted : functionNames()).filter((name) => FIRST_INVOCATIONS[name]);

  const cleanup = createCleanup();
  try {
    const bench = await startBenchSandbox(cleanup);
    const env = functionEnv(bench.sandbox.url, 'memory:');
    const sends = await sendsToInvokeOn(bench);
    const tokenUrl = JSON.stringify(`${bench.sandbox.url}/cgi-bin/stable_token`);

    const emptyRuns = [await runCounted(['-e', ''], env), await runCounted(['-e', ''], env)];
    const [empty, again] = emptyRuns.map((run) => run.instructions) as [number, number];
    const http = await runCounted(
      [
        '-e',
        `require('http').request(${tokenUrl},{method:'POST',headers:{'content-type':'application/json'}},` +
          "r=>{r.resume();r.on('end',()=>process.exit(0))}).on('error',()=>process.exit(1)).end('{}')",
      ],
      env,
    );
    const several = dists.length > 1;
    const section: Section = {
      title: 'Cold start in instructions (millions over an empty node; memory: store)',
      headers: [
        'function',
        ...(several ? ['dist'] : []),
        'require only',
        'first request',
        ...(several ? ['vs first dist'] : []),
      ],
      rows: [],
      notes: [
        `empty node: ${empty.toLocaleString('en-US')} and, run again, ${again.toLocaleString('en-US')} instructions`,
        `one bare node:http request to the sandbox: +${millions(http.instructions - empty)}`,
      ],
    };
    let counter = 0;
    for (const name of names) {
      let first: number | undefined;
      for (const dist of dists) {
        const bundle = join(dist, name, 'index.js');
        if (!existsSync(bundle)) {
          section.rows.push([name, ...(several ? [dist, 'not built', '', ''] : ['not built', ''])]);
          continue;
        }
        counter += 1;
        const invocation = FIRST_INVOCATIONS[name]!({
          ...sends,
          runKey: `instructions-${counter}-${Date.now()}`,
          runNumber: 9_800_000_000 + counter * 10 + (Date.now() % 10),
        });
        const loaded = await runCounted(['-e', `require(${JSON.stringify(bundle)})`], env);
        const invoked = await runCounted(
          ['-e', DRIVER, bundle, JSON.stringify(invocation.event), invocation.expect],
          env,
        );
        const over = invoked.instructions - empty;
        const answered = invoked.code === 0;
        if (answered) first ??= over;
        section.rows.push([
          name,
          ...(several ? [dist] : []),
          signedMillions(loaded.instructions - empty),
          answered ? signedMillions(over) : `failed (exit ${invoked.code}): ${invoked.stdout.slice(-120)}`,
          ...(several ? [answered && first !== undefined ? signedMillions(over - first) : ''] : []),
        ]);
        console.error(`  … ${name} ${dist}: ${millions(over)}`);
      }
    }
    console.log(renderText(section));
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
