// The agent's event stream (server-sent events) read with fetch, so that the bearer token
// travels in the Authorization header and no cookie is needed. Reconnects with backoff and
// resumes with Last-Event-ID; a fresh page starts without it and gets a snapshot.

const k_backoff_ms = [1000, 2000, 4000, 8000, 15000];
const k_stall_ms = 60000;  // the server sends a heartbeat every 25 s

export class EventStream {
  /**
   * @param {object} options
   * @param {string} options.url
   * @param {() => string} options.token
   * @param {(type: string, data: object, id: string) => void} options.onEvent
   * @param {(state: 'connecting'|'up'|'down') => void} options.onState
   * @param {() => void} options.onUnauthorized  the session is gone: stop and sign in again
   */
  constructor(options) {
    this.options = options;
    this.lastEventId = '';
    this.failures = 0;
    this.controller = null;
    this.stopped = true;
    this.retryTimer = 0;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.controller) this.controller.abort();
  }

  async connect() {
    if (this.stopped) return;
    this.options.onState('connecting');
    const controller = new AbortController();
    this.controller = controller;
    let stallTimer = 0;
    const armStall = () => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => controller.abort(), k_stall_ms);
    };
    try {
      const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${this.options.token()}` };
      if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
      armStall();
      const response = await fetch(this.options.url, {
        headers, cache: 'no-store', credentials: 'omit', signal: controller.signal,
      });
      if (response.status === 401) {
        this.stopped = true;
        this.options.onUnauthorized();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`event stream: HTTP ${response.status}`);
      this.options.onState('up');
      this.failures = 0;
      await this.read(response.body, armStall);
    } catch {
      // Dropped, refused or stalled: retried below.
    } finally {
      clearTimeout(stallTimer);
    }
    if (this.stopped) return;
    this.options.onState('down');
    const delay = k_backoff_ms[Math.min(this.failures, k_backoff_ms.length - 1)];
    this.failures += 1;
    // Jitter keeps many agents from reconnecting in step after a server restart.
    this.retryTimer = setTimeout(() => this.connect(), delay * (0.8 + 0.4 * Math.random()));
  }

  async read(body, onData) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { type: '', data: [], id: null };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onData();
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === '') {
          this.dispatch(event);
          event = { type: '', data: [], id: null };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let text = colon < 0 ? '' : line.slice(colon + 1);
        if (text.startsWith(' ')) text = text.slice(1);
        if (field === 'event') event.type = text;
        else if (field === 'data') event.data.push(text);
        else if (field === 'id' && !text.includes('\0')) event.id = text;
      }
    }
  }

  dispatch(event) {
    if (event.id !== null) this.lastEventId = event.id;
    if (event.data.length === 0) return;
    let data;
    try {
      data = JSON.parse(event.data.join('\n'));
    } catch {
      return;  // not ours to guess at
    }
    this.options.onEvent(event.type || 'message', data, this.lastEventId);
  }
}
