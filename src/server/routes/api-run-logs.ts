import type { Express, Response } from 'express';
import type { Masker } from '../../executor/log/mask.ts';
import type { LogQuery, RunRecord } from '../../store/store.ts';
import type { ServerContext } from '../context.ts';
import { formatLogLine, sseEvent, stepNamer, toLogLineView, type LogLineView } from '../log-format.ts';
import { parseLogQuery, type LogRequest } from '../query.ts';
import { runMasker } from '../secret-mask.ts';
import { loadRun } from '../load-run.ts';
import { writeChunk } from '../write-chunk.ts';

const BATCH = 1000;
/** lines per query of a text download: on FerretDB each query of a run's log costs about a full read of it */
const TEXT_BATCH = 50_000;
const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/runs/:id/logs`: text (default), one JSON page (`?format=json`), or a live Server-Sent
 * Events stream (`?follow=1`): `line` events (id = cursor, so a reconnecting EventSource resumes via
 * Last-Event-ID), then one `end` event with the run's final status. Served lines are masked with the
 * values of the secrets the run uses.
 */
export function registerRunLogRoutes(app: Express, ctx: ServerContext): void {
  app.get('/api/runs/:id/logs', async (req, res) => {
    const request = parseLogQuery(req.query);
    const run = await loadRun(ctx, req.params.id);
    const masker = await runMasker(ctx.secretsEnabled ? ctx.secrets : undefined, run);
    const name = stepNamer(run.plan);
    const view = (lines: Awaited<ReturnType<typeof ctx.logs.read>>): LogLineView[] =>
      lines.map((l) => toLogLineView(l, name(l.group, l.step), masker));
    const query = filters(request);

    if (request.follow) {
      await follow(ctx, res, run, { ...query, after: req.get('last-event-id') ?? request.after }, view, masker);
    } else if (request.format === 'json') {
      const lines = view(await ctx.logs.read(run.id, { ...query, after: request.after, limit: request.limit }));
      res.json({ lines, next: lines.length === request.limit ? (lines.at(-1)?.cursor ?? null) : null });
    } else {
      res.type('text/plain; charset=utf-8');
      let after = request.after;
      for (;;) {
        const lines = view(await ctx.logs.read(run.id, { ...query, after, limit: TEXT_BATCH }));
        for (let from = 0; from < lines.length; from += BATCH) {
          if (!(await writeChunk(res, lines.slice(from, from + BATCH).map(formatLogLine).join('')))) return;
        }
        if (lines.length < TEXT_BATCH) break;
        after = lines.at(-1)?.cursor;
      }
      res.end();
    }
  });
}

function filters(request: LogRequest): LogQuery {
  const query: LogQuery = {};
  if (request.group !== undefined) query.group = request.group;
  if (request.step !== undefined) query.step = request.step;
  if (request.attempt !== undefined) query.attempt = request.attempt;
  return query;
}

/**
 * Streams from the run's shared tail (web/log-hub.ts): one database poll per followed run, whatever
 * the number of clients. A resume cursor is checked against the store first, so a malformed one is
 * a 400 rather than a broken stream.
 */
async function follow(
  ctx: ServerContext,
  res: Response,
  run: RunRecord,
  query: LogQuery,
  view: (lines: Awaited<ReturnType<ServerContext['logs']['read']>>) => LogLineView[],
  masker: Masker,
): Promise<void> {
  if (query.after !== undefined) await ctx.logs.read(run.id, { after: query.after, limit: 1 });
  const closed = (): boolean => res.destroyed || res.writableEnded;
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  const stop = new AbortController();
  res.on('close', () => stop.abort());
  const keepalive = setInterval(() => void writeChunk(res, ': keepalive\n\n', stop.signal), KEEPALIVE_MS);
  try {
    for await (const update of ctx.logHub.follow(run.id, query, stop.signal)) {
      for (let from = 0; from < update.lines.length; from += BATCH) {
        const lines = view(update.lines.slice(from, from + BATCH));
        if (!(await writeChunk(res, lines.map((l) => sseEvent('line', l, l.cursor)).join(''), stop.signal))) return;
      }
      if (update.end !== undefined) {
        res.end(sseEvent('end', { status: update.end.status, message: update.end.message === undefined ? null : masker.maskText(update.end.message) }));
        return;
      }
    }
  } catch (error) {
    // headers are sent: tell the client in-band, log it, and end the stream (never leave it hanging)
    ctx.log.error({ err: error, runId: run.id }, 'log stream failed');
    if (!closed()) res.end(sseEvent('error', { error: 'internal', message: 'the log stream failed on the server; reconnect to resume' }));
  } finally {
    clearInterval(keepalive);
  }
}
