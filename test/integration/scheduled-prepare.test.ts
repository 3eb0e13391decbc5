import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSchedule } from '../../lib/config/schedule-window.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import { prepareRun, type StagedDeps } from '../../lib/pipeline/staged/index.js';
import { runStore } from '../../lib/pipeline/staged/layout.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { FakeLangSmith, type FakeRun } from '../fakes/langsmith-server.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

const KEY = 'test-key-not-real';
const FIRST = Date.parse('2027-03-24T00:00:00Z');
const LAST = Date.parse('2027-04-02T00:00:00Z');
// A root run every 20 minutes for nine days around Berlin's spring-forward (2027-03-28).
const runs: FakeRun[] = Array.from({ length: (LAST - FIRST) / 1_200_000 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name: 'chat',
  start_time: new Date(FIRST + i * 1_200_000).toISOString(),
  inputs: { question: `question ${i}` },
  outputs: { answer: 'ok' },
}));

let fake: FakeLangSmith;
let dir: string;
const savedEnv = { ...process.env };
beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  fake.addProject('support-bot', runs);
  process.env.LANGSMITH_API_KEY = KEY;
  process.env.LANGSMITH_ENDPOINT = fake.url;
  dir = await mkdtemp(join(tmpdir(), 'clio-scheduled-'));
  await mkdir(join(dir, 'configs', 'scheduled'), { recursive: true });
  // The config's own window (`hours: 24`) is what an unscheduled upload would read.
  await writeFile(
    join(dir, 'configs', 'scheduled', 'support.json'),
    JSON.stringify({
      project_name: 'support-bot',
      hours: 24,
      hierarchy: [3],
      summary_prompt: 'Summarize: {{run.inputs}}',
      partitions: null,
    }),
  );
});
afterAll(async () => {
  process.env = savedEnv;
  await fake.close();
});

function deps(): StagedDeps {
  return {
    artifacts: new FsStore(join(dir, 'artifacts')),
    configs: new FsStore(join(dir, 'configs')),
    createEmbedder: () => wordEmbedder,
    createLlm: (_config, embedder) => new OfflineLlm({ embedder }),
    batchSize: 500,
  };
}

/** Prepare as a schedule's tick starts it; the run's window and the ids of the runs it read. */
async function prepareTick(schedule: RunSchedule, tick: Date) {
  const staged = deps();
  const prepared = await prepareRun(
    { configKey: 'scheduled/support.json', scheduledTime: tick.toISOString(), schedule },
    staged,
  );
  const store = runStore(staged.artifacts, prepared.runId);
  const record = JSON.parse((await store.read('run.json')) as string);
  const batches = JSON.parse((await store.read('items/batches.json')) as string) as {
    batchKey: string;
  }[];
  const ids: string[] = [];
  for (const { batchKey } of batches)
    ids.push(
      ...JSON.parse((await store.read(batchKey)) as string).map((i: { id: string }) => i.id),
    );
  return { window: record.window as { start: string; end: string }, ids };
}

/** Every run of the fake project starting in [start, end). */
const runsIn = (start: string, end: string) =>
  runs
    .filter((r) => Date.parse(r.start_time) >= Date.parse(start))
    .filter((r) => Date.parse(r.start_time) < Date.parse(end))
    .map((r) => r.id);

async function expectConsecutiveTicksCoverEachRunOnce(schedule: RunSchedule, ticks: Date[]) {
  const seen: string[] = [];
  const windows: { start: string; end: string }[] = [];
  for (const tick of ticks) {
    const { window, ids } = await prepareTick(schedule, tick);
    expect(window.end).toBe(tick.toISOString());
    expect(ids.sort()).toEqual(runsIn(window.start, window.end).sort());
    windows.push(window);
    seen.push(...ids);
  }
  for (let i = 1; i < windows.length; i++) expect(windows[i]?.start).toBe(windows[i - 1]?.end);
  // Each run read exactly once across the ticks: no overlap, no gap.
  expect(seen.sort()).toEqual(runsIn(windows[0]?.start ?? '', windows.at(-1)?.end ?? '').sort());
  return windows;
}

describe('Prepare on consecutive scheduled ticks', () => {
  it('runs a scheduled file config again as it is: only tracing projects have windows', async () => {
    await writeFile(join(dir, 'configs', 'scheduled', 'rows.jsonl'), '{"id":"a","text":"hello"}\n');
    await writeFile(
      join(dir, 'configs', 'scheduled', 'file.json'),
      JSON.stringify({
        source: { file: 'rows.jsonl' },
        hierarchy: [1],
        summary_prompt: 'Summarize: {{example.inputs.text}}',
        partitions: null,
      }),
    );
    const staged = deps();
    const prepared = await prepareRun(
      {
        configKey: 'scheduled/file.json',
        scheduledTime: '2027-03-25T10:00:00Z',
        schedule: { expression: 'rate(1 day)' },
      },
      staged,
    );
    expect(prepared.itemCount).toBe(1);
    const record = JSON.parse(
      (await runStore(staged.artifacts, prepared.runId).read('run.json')) as string,
    );
    expect(record.window).toBeNull();
  });

  it('reads back-to-back 30-minute windows for rate(30 minutes)', async () => {
    const start = Date.parse('2027-03-25T10:00:00Z');
    const ticks = Array.from({ length: 4 }, (_, i) => new Date(start + i * 1_800_000));
    const windows = await expectConsecutiveTicksCoverEachRunOnce(
      { expression: 'rate(30 minutes)' },
      ticks,
    );
    expect(windows[0]).toEqual({
      start: '2027-03-25T09:30:00.000Z',
      end: '2027-03-25T10:00:00.000Z',
    });
  });

  it('reads a daily Europe/Berlin cron as 24-, 23- and 24-hour windows across spring-forward', async () => {
    const schedule = { expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin' };
    const iterator = CronExpressionParser.parse('0 6 * * *', {
      currentDate: new Date('2027-03-26T00:00:00Z'),
      tz: 'Europe/Berlin',
    });
    const ticks = Array.from({ length: 4 }, () => iterator.next().toDate());
    const windows = await expectConsecutiveTicksCoverEachRunOnce(schedule, ticks);
    const hours = windows.map((w) => (Date.parse(w.end) - Date.parse(w.start)) / 3_600_000);
    expect(hours).toEqual([24, 24, 23, 24]);
  });
});
