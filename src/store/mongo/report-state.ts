import type { Db } from 'mongodb';
import type { ReportState, ReportStateStore } from '../store.ts';

/** ReportStateStore on `reports`: one document per reported run, `_id` = run id. */
type ReportDoc = Omit<ReportState, 'runId'> & { _id: string };

export class MongoReportStateStore implements ReportStateStore {
  readonly #docs;

  constructor(db: Db) {
    this.#docs = db.collection<ReportDoc>('reports');
  }

  async get(runId: string): Promise<ReportState | null> {
    const doc = await this.#docs.findOne({ _id: runId });
    if (doc === null) return null;
    const { _id, ...rest } = doc;
    return { runId: _id, ...rest };
  }

  async put(state: ReportState): Promise<void> {
    const { runId, ...fields } = state;
    const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    await this.#docs.updateOne({ _id: runId }, { $set: set }, { upsert: true });
  }
}
