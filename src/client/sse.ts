/**
 * A reader for Server-Sent Events (the subset Pistages sends: `id`, `event`, single- or multi-line
 * `data`, `:` comments). Yields each complete event; a partial event at the end of the stream is dropped,
 * as the EventSource standard does.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event: { event?: string; data: string[]; id?: string } = { data: [] };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
      if (buffer[newline] === '\r' && newline === buffer.length - 1) break; // maybe \r\n split across chunks
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (event.data.length > 0 || event.event !== undefined) {
          const out: SseEvent = { event: event.event ?? 'message', data: event.data.join('\n') };
          if (event.id !== undefined) out.id = event.id;
          yield out;
        }
        event = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.event = value;
      else if (field === 'data') event.data.push(value);
      else if (field === 'id') event.id = value;
    }
  }
}
