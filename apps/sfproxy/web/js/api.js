// The proxy's JSON API: requests with the bearer token, errors as ApiError. No cookie
// travels, except on sign-in, resume and sign-out to the page's own origin: the session
// cookie lets a reloaded page resume (a cross-site frame keeps no other storage).

/** A failed API request: `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const k_timeout_ms = 15000;

export class Api {
  constructor(host, token = '') {
    this.host = host.replace(/\/+$/, '');
    this.token = token;
  }

  url(path) {
    return this.host + path;
  }

  headers(extra = {}) {
    const headers = { ...extra };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  async request(method, path, body, { credentials = 'omit', timeoutMs = k_timeout_ms } = {}) {
    const init = { method, headers: this.headers(), cache: 'no-store', credentials };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    init.signal = AbortSignal.timeout(timeoutMs);
    let response;
    try {
      response = await fetch(this.url(path), init);
    } catch (error) {
      throw new ApiError(0, 'unreachable', `cannot reach ${this.host}`);
    }
    const text = await response.text().catch(() => '');
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch { json = null; }
    }
    if (!response.ok) {
      const error = json && json.error ? json.error : {};
      throw new ApiError(response.status, error.code || 'http_' + response.status,
                         error.message || `${method} ${path} failed (${response.status})`);
    }
    return json;
  }

  // 'same-origin': the server's session cookie is kept (sign-in) and cleared (sign-out) when
  // the Host is the page's own origin; to another Host these send no cookie, as 'omit'.
  signIn(extension, password) {
    return this.request('POST', '/api/v1/session', { extension, password }, { credentials: 'same-origin' });
  }
  signOut() { return this.request('DELETE', '/api/v1/session', undefined, { credentials: 'same-origin' }); }
  /** The session the cookie names ({token, agent}); only for the page's own origin. */
  resume() {
    return this.request('GET', '/api/v1/session', undefined, { credentials: 'include', timeoutMs: 5000 });
  }
  settings() { return this.request('GET', '/api/v1/settings'); }
  saveSettings(settings) { return this.request('PUT', '/api/v1/settings', settings); }
  dial(number) { return this.request('POST', '/api/v1/calls', { number }); }
  callAction(callId, verb) {
    return this.request('POST', `/api/v1/calls/${encodeURIComponent(callId)}/${verb}`);
  }
  markPopped(callId) { return this.callAction(callId, 'popped'); }
}

/** What the sign-in panel says for a failed sign-in. */
export function signInMessage(error) {
  switch (error.status) {
    case 0: return 'Cannot reach the server. Check the Host and your network, then try again.';
    case 401: return 'Wrong sign-in address or password.';
    case 403: return `No licence seat for this sign-in address: ${error.message}`;
    case 429: return 'Too many sign-in attempts. Wait a minute, then try again.';
    default: return `Sign-in failed: ${error.message}`;
  }
}

/** What the call panel says when a call control fails. */
export function callActionMessage(verb, error) {
  if (error.status === 501) {
    return `This phone system cannot ${verb === 'hangup' ? 'hang up' : verb} from the softphone: use your phone.`;
  }
  if (error.status === 404) return 'That call has already ended.';
  if (error.status === 0) return 'Cannot reach the server.';
  return error.message;
}
