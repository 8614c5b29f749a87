import type { Express, RequestHandler } from 'express';
import { cancelRun } from '../runs/cancel.ts';
import { prepareRerun } from '../runs/rerun.ts';
import { submitRun } from '../runs/submit.ts';
import type { LogQuery } from '../store/store.ts';
import type { ServerContext } from '../server/context.ts';
import { loadRun } from '../server/load-run.ts';
import { formatLogLine, sseEvent, stepNamer, toLogLineView } from '../server/log-format.ts';
import { runMasker } from '../server/secret-mask.ts';
import { logFilter } from './log-filter.ts';
import { writeChunk } from '../server/write-chunk.ts';

const BATCH = 2000;
/** lines per query of a download: on FerretDB each query of a run's log costs about a full read of it */
const DOWNLOAD_BATCH = 50_000;
const KEEPALIVE_MS = 15_000;

/**
 * What the pages' script calls, with the session cookie instead of the API token:
 * `GET /ui/runs/:id/events` (the log as SSE batches from the shared tail), `GET /ui/runs/:id/log.txt`
 * (the raw log), and the mutations `POST /ui/runs/:id/cancel` and `/rerun[?failed=true]`, which run
 * the same application code as the API's routes.
 */
export function registerWebApiRoutes(app: Express, ctx: ServerContext, read: RequestHandler, write: RequestHandler[]): void {
  const masking = (run: Parameters<typeof runMasker>[1]) => runMasker(ctx.secretsEnabled ? ctx.secrets : undefined, run);

  app.get('/ui/runs/:id/events', read, async (req, res) => {
    const run = await loadRun(ctx, String(req.params.id));
    const query: LogQuery = { ...logFilter(req.query) };
    const after = req.get('last-event-id');
    if (after !== undefined) {
      await ctx.logs.read(run.id, { after, limit: 1 });
      query.after = after;
    }
    const masker = await masking(run);
    res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    const keepalive = setInterval(() => void writeChunk(res, ': keepalive\n\n', stop.signal), KEEPALIVE_MS);
    try {
      for await (const update of ctx.logHub.follow(run.id, query, stop.signal)) {
        for (let from = 0; from < update.lines.length; from += BATCH) {
          const batch = update.lines.slice(from, from + BATCH);
          const rows = batch.map((l) => [l.group, l.step, l.attempt, l.stream, masker.maskText(l.line)]);
          if (!(await writeChunk(res, sseEvent('lines', rows, batch.at(-1)?.cursor), stop.signal))) return;
        }
        if (update.end !== undefined) {
          res.end(sseEvent('end', { status: update.end.status, message: update.end.message === undefined ? null : masker.maskText(update.end.message) }));
          return;
        }
      }
    } catch (error) {
      ctx.log.error({ err: error, runId: run.id }, 'page log stream failed');
      if (!res.destroyed && !res.writableEnded) res.end(sseEvent('failure', { message: 'the log stream failed on the server; reload the page' }));
    } finally {
      clearInterval(keepalive);
    }
  });

  app.get('/ui/runs/:id/log.txt', read, async (req, res) => {
    const run = await loadRun(ctx, String(req.params.id));
    const filter = logFilter(req.query);
    const masker = await masking(run);
    const name = stepNamer(run.plan);
    res.type('text/plain; charset=utf-8').attachment(`run-${run.id}.log`);
    let after: string | undefined;
    for (;;) {
      const lines = await ctx.logs.read(run.id, { ...filter, ...(after !== undefined && { after }), limit: DOWNLOAD_BATCH });
      for (let from = 0; from < lines.length; from += BATCH) {
        const text = lines.slice(from, from + BATCH).map((l) => formatLogLine(toLogLineView(l, name(l.group, l.step), masker))).join('');
        if (!(await writeChunk(res, text))) return;
      }
      if (lines.length < DOWNLOAD_BATCH) break;
      after = lines.at(-1)?.cursor;
    }
    res.end();
  });

  app.post('/ui/runs/:id/cancel', ...write, async (req, res) => {
    const run = await loadRun(ctx, String(req.params.id));
    const updated = await cancelRun(ctx, run);
    res.status(202).json({ id: run.id, status: updated.status, cancelRequested: true });
  });

  app.post('/ui/runs/:id/rerun', ...write, async (req, res) => {
    const original = await loadRun(ctx, String(req.params.id));
    const run = await submitRun(ctx.submit, await prepareRerun(ctx.actions, original, { failedOnly: req.query.failed === 'true', limits: ctx.config }));
    res.status(201).json({ id: run.id });
  });
}
