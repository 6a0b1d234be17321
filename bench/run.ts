/**
 * `npm run bench`: four figures, each next to a baseline measured in the same run, printed as
 * a table and written to bench/results.json and bench/results.md. One or more figures alone:
 * `npx tsx bench/run.ts cold-start callback` (a partial run prints but writes nothing);
 * `npm run bench -- --quick` runs every figure with fewer samples in under 30 s, for use while
 * developing (prints, writes nothing); BENCH_COLD_RUNS=3 shortens the cold-start figure alone.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAll, functionNames } from '../scripts/build';
import { measureApiOverhead } from './api-overhead';
import { jobSplitSection, measureJobSplit } from './job-split';
import { measureCallbackThroughput } from './callback-throughput';
import { createCleanup } from './cleanup';
import { measureColdStarts } from './cold-start';
import { describeMachine, machineLine } from './machine';
import { apiSection, callbackSection, coldStartSection, redisClientSection, stampedeSection } from './report';
import { renderMarkdown, renderText, type Section } from './table';
import { measureTokenStampede } from './token-stampede';
import { measureRedisClientCost } from './redis-client';
import type { Cleanup } from './cleanup';

const root = resolve(import.meta.dirname, '..');
const distDir = join(root, 'dist');

interface Figure {
  key: string;
  run: (cleanup: Cleanup) => Promise<{ result: unknown; section: Section }>;
}

const quick = process.argv.includes('--quick');
/** Sample counts: the full run's, or --quick's (the same figures, noisier, in under 30 s). */
const SIZE = quick
  ? { coldRuns: 2, callbackMs: 800, stampedeRounds: 2, apiRequests: 400, apiWarmup: 50 }
  : { coldRuns: 15, callbackMs: 3_000, stampedeRounds: 5, apiRequests: 2_000, apiWarmup: 200 };

const progress = (line: string) => console.error(`  … ${line}`);

const FIGURES: Figure[] = [
  {
    key: 'cold-start',
    run: async (cleanup) => {
      const result = await measureColdStarts({
        distDir,
        runs: Number(process.env.BENCH_COLD_RUNS ?? SIZE.coldRuns),
        cleanup,
        progress,
      });
      return { result, section: coldStartSection(result) };
    },
  },
  {
    key: 'redis-client',
    run: async (cleanup) => {
      const result = await measureRedisClientCost({ runs: SIZE.coldRuns, cleanup });
      return { result, section: redisClientSection(result) };
    },
  },
  {
    key: 'callback',
    run: async () => {
      const result = await measureCallbackThroughput({ distDir, durationMs: SIZE.callbackMs, batchSize: 2_000 });
      return { result, section: callbackSection(result) };
    },
  },
  {
    key: 'token-stampede',
    run: async (cleanup) => {
      const result = await measureTokenStampede({
        containers: 200,
        rounds: SIZE.stampedeRounds,
        upstreamDelayMs: 100,
        cleanup,
      });
      return { result, section: stampedeSection(result) };
    },
  },
  {
    key: 'api-overhead',
    run: async (cleanup) => {
      const result = await measureApiOverhead({
        distDir,
        requests: SIZE.apiRequests,
        concurrency: 8,
        warmup: SIZE.apiWarmup,
        cleanup,
      });
      return { result, section: apiSection(result) };
    },
  },
  {
    key: 'jobs',
    run: async (cleanup) => {
      const result = await measureJobSplit({ count: 1_000_000, cleanup });
      return { result, section: jobSplitSection(result) };
    },
  },
];

function chooseFigures(args: string[]): Figure[] {
  if (args.length === 0) return FIGURES;
  const unknown = args.filter((a) => !FIGURES.some((f) => f.key === a));
  if (unknown.length > 0)
    throw new Error(`unknown figure ${unknown.join(', ')}; choose from ${FIGURES.map((f) => f.key).join(', ')}`);
  return FIGURES.filter((f) => args.includes(f.key));
}

async function main(): Promise<number> {
  const figures = chooseFigures(process.argv.slice(2).filter((a) => a !== '--quick'));
  if (functionNames().some((name) => !existsSync(join(distDir, name, 'index.js')))) await buildAll();
  const machine = describeMachine();
  const started = performance.now();
  const results: Record<string, unknown> = {};
  const sections: Section[] = [];
  const errors: string[] = [];
  const cleanup = createCleanup();
  const interrupt = () => void cleanup.run().finally(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    for (const figure of figures) {
      progress(`${figure.key}: running`);
      const figureCleanup = createCleanup();
      cleanup.defer(figure.key, async () => void (await figureCleanup.run()));
      try {
        const figureStarted = performance.now();
        const { result, section } = await figure.run(figureCleanup);
        progress(`${figure.key}: ${((performance.now() - figureStarted) / 1000).toFixed(1)} s`);
        results[figure.key] = result;
        sections.push(section);
      } catch (err) {
        errors.push(`${figure.key}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      } finally {
        const failures = await figureCleanup.run();
        errors.push(...failures.map((f) => `${figure.key} cleanup: ${f}`));
      }
    }
  } finally {
    errors.push(...(await cleanup.run()).map((f) => `cleanup: ${f}`));
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  const totalSeconds = (performance.now() - started) / 1000;
  const heading =
    `wechat-mass-send bench${quick ? ' --quick' : ''}: ${machineLine(machine)}; ` +
    `run took ${totalSeconds.toFixed(1)} s`;
  console.log(`\n${heading}\n\n${sections.map(renderText).join('\n\n')}\n`);
  for (const error of errors) console.error(`bench error: ${error}`);

  if (figures.length === FIGURES.length && errors.length === 0 && !quick) {
    const file = { machine, totalSeconds: Math.round(totalSeconds * 10) / 10, figures: results };
    writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(file, null, 2)}\n`);
    const md = [
      `## Benchmarks`,
      '',
      `Machine: ${machineLine(machine)}. Whole run: ${totalSeconds.toFixed(0)} s (\`npm run bench\`).`,
      '',
      sections.map(renderMarkdown).join('\n\n'),
      '',
    ].join('\n');
    writeFileSync(join(root, 'bench', 'results.md'), md);
    writeReadmeSection(join(root, 'README.md'), md.replace(/^## Benchmarks\n\n/, ''));
    console.log('written: bench/results.json, bench/results.md, README.md (latest results)');
  } else {
    console.log(
      errors.length > 0
        ? 'not written: a figure failed'
        : quick
          ? 'not written: --quick run (results files hold full runs only)'
          : 'not written: partial run (results files hold full runs only)',
    );
  }
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** The README shows the latest full run, between its bench markers. */
function writeReadmeSection(file: string, markdown: string): void {
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return;
  const shifted = markdown.replace(/^### /gm, '#### ').trim();
  writeFileSync(file, `${readme.slice(0, start + README_START.length)}\n${shifted}\n${readme.slice(end)}`);
}
