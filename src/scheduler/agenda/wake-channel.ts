import { InMemoryNotificationChannel, type JobNotification } from 'agenda';

/**
 * An in-process notification channel that wakes Agenda's job processor without making the
 * publisher wait, and coalesces bursts: while the processor is filling its queue, further
 * notifications collapse into one more fill afterwards. (A fill locks every job it may run, so
 * one fill after a burst of 100 enqueues does the work of 100, without 100 concurrent scans of
 * the queue collection.)
 */
export class WakeChannel extends InMemoryNotificationChannel {
  #filling = false;
  #again: JobNotification | undefined;
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    super();
    this.#onError = onError;
  }

  override async publish(notification: JobNotification): Promise<void> {
    if (this.state !== 'connected') return; // not processing here (yet, or any more)
    if (this.#filling) {
      this.#again = notification;
      return;
    }
    this.#filling = true;
    void this.#drain(notification);
  }

  async #drain(first: JobNotification): Promise<void> {
    let next: JobNotification | undefined = first;
    try {
      while (next !== undefined && this.state === 'connected') {
        this.#again = undefined;
        await this.notifyHandlers(next).catch(this.#onError);
        next = this.#again;
      }
    } finally {
      this.#filling = false;
    }
  }
}
