import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';

/** the collection write probes use; each probe leaves it as it found it */
export const PROBE_COLLECTION = 'health_probe';

/**
 * Inserts and deletes a scratch document. A `ping` is not enough: FerretDB answers it while the
 * PostgreSQL behind it is down, and only a write proves the database can store runs.
 */
export async function writeProbe(db: Db): Promise<void> {
  const _id = `probe-${randomBytes(8).toString('hex')}`;
  const probes = db.collection<{ _id: string; at: Date }>(PROBE_COLLECTION);
  await probes.insertOne({ _id, at: new Date() });
  const { deletedCount } = await probes.deleteOne({ _id });
  if (deletedCount !== 1) throw new Error(`the database acknowledged a write but did not find it again (${PROBE_COLLECTION})`);
}
