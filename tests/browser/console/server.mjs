// The demo console's server: an HTTPS origin of its own (as Salesforce is to the softphone)
// serving the console page, the recording Open CTI stand-ins (Lightning and Classic) at
// Salesforce's paths, and:
//   POST /__record   a call the softphone made to Open CTI (kept in `records`)
//   GET  /__apex?... SoftphoneSearchController.search run against the Salesforce emulator
//   GET  /__records?since=N  what was recorded, for the console page's log
//   POST /__pbx/make-call    the PBX end of click-to-dial (webhook adapter), for the demo
//   POST /__config {softphoneUrl}  set once, when the softphone's address is known
// Used in-process by the browser tests and run by scripts/demo.sh:
//   node server.mjs --cert C --key K [--softphone URL] [--port N] [--webhook-secret-file F]
//                   [--salesforce URL --ca FILE --client-id ID --client-secret SECRET]

import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const k_files = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/console.js': ['console.js', 'text/javascript; charset=utf-8'],
  '/console.css': ['console.css', 'text/css; charset=utf-8'],
  '/support/api/60.0/lightning/opencti_min.js': ['opencti_min.js', 'text/javascript; charset=utf-8'],
  '/support/api/60.0/interaction.js': ['interaction.js', 'text/javascript; charset=utf-8'],
};
const k_name_fields = { Case: 'CaseNumber' };
const k_key_prefixes = { '001': 'Account', '003': 'Contact', '00Q': 'Lead', '500': 'Case' };

/** A small client of the Salesforce emulator's REST API (client credentials, SOQL). */
export class SalesforceClient {
  constructor({ url, ca, clientId, clientSecret }) {
    this.url = new URL(url);
    this.ca = ca;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.token = '';
  }

  request(method, path, body, headers = {}) {
    return new Promise((resolve, reject) => {
      const request = https.request(new URL(path, this.url), {
        method, ca: this.ca, headers, timeout: 10000,
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => resolve({ status: response.statusCode, text }));
      });
      request.on('timeout', () => request.destroy(new Error('Salesforce emulator timed out')));
      request.on('error', reject);
      request.end(body);
    });
  }

  async query(soql) {
    if (!this.token) {
      const form = new URLSearchParams({
        grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.clientSecret,
      }).toString();
      const reply = await this.request('POST', '/services/oauth2/token', form,
                                       { 'Content-Type': 'application/x-www-form-urlencoded' });
      if (reply.status !== 200) throw new Error(`token: HTTP ${reply.status} ${reply.text}`);
      this.token = JSON.parse(reply.text).access_token;
    }
    const reply = await this.request('GET', `/services/data/v60.0/query?q=${encodeURIComponent(soql)}`,
                                     undefined, { Authorization: `Bearer ${this.token}` });
    if (reply.status !== 200) throw new Error(`query: HTTP ${reply.status} ${reply.text}`);
    return JSON.parse(reply.text).records || [];
  }

  /** SoftphoneSearchController.search's contract: {"records":[{id,object,name}]} or {"error"}. */
  async search(objectName, fieldName, value, matchMode) {
    const name = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;
    if (!name.test(objectName) || !name.test(fieldName)) return { error: 'bad object or field name' };
    if (!/^[0-9A-Za-z+ ._-]{1,40}$/.test(value)) return { error: 'bad value' };
    const escaped = value.replace(/[\\']/g, '\\$&');
    const like = { starts_with: `LIKE '${escaped}%'`, ends_with: `LIKE '%${escaped}'`,
                   contains: `LIKE '%${escaped}%'`, exact: `= '${escaped}'` }[matchMode];
    if (!like) return { error: 'bad match mode' };
    const nameField = k_name_fields[objectName] || 'Name';
    const rows = await this.query(`SELECT Id, ${nameField} FROM ${objectName} WHERE ${fieldName} ${like} LIMIT 10`);
    return { records: rows.map((row) => ({ id: row.Id, object: objectName, name: String(row[nameField] ?? '') })) };
  }

  async nameOf(id) {
    const object = k_key_prefixes[String(id).slice(0, 3)];
    if (!object || !/^[A-Za-z0-9]{15,18}$/.test(id)) return '';
    const nameField = k_name_fields[object] || 'Name';
    const rows = await this.query(`SELECT Id, ${nameField} FROM ${object} WHERE Id = '${id}'`);
    return rows.length ? `${object} ${rows[0][nameField]}` : '';
  }
}

/**
 * Starts the console on 127.0.0.1. `softphoneUrl` may be set later (console.softphoneUrl =).
 * Returns {origin, url, records, events, waitFor(predicate, timeoutMs), close()}.
 */
export async function startConsole({ cert, key, softphoneUrl = '', salesforce = null, webhookSecret = '', port = 0 }) {
  const records = [];
  const events = new EventEmitter();
  const sf = salesforce ? new SalesforceClient(salesforce) : null;
  const state = { softphoneUrl };

  const add = (entry) => {
    records.push(entry);
    events.emit('record', entry);
    const id = entry.method === 'screenPop' && entry.args && entry.args.params && entry.args.params.recordId;
    if (id && sf) sf.nameOf(id).then((name) => { entry.record = name; }).catch(() => {});
  };

  const cors = () => {
    const headers = { 'Cache-Control': 'no-store' };
    if (state.softphoneUrl) headers['Access-Control-Allow-Origin'] = new URL(state.softphoneUrl).origin;
    return headers;
  };

  const server = https.createServer({ cert, key }, async (request, response) => {
    const url = new URL(request.url, 'https://127.0.0.1');
    const send = (status, type, body, extra = {}) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
      response.end(body);
    };
    try {
      if (request.method === 'GET' && k_files[url.pathname]) {
        const [file, type] = k_files[url.pathname];
        return send(200, type, readFileSync(join(here, file)));
      }
      if (request.method === 'GET' && url.pathname === '/config.json') {
        return send(200, 'application/json', JSON.stringify({ softphoneUrl: state.softphoneUrl }));
      }
      if (request.method === 'POST' && url.pathname === '/__record') {
        const body = await readBody(request);
        add(JSON.parse(body));
        return send(204, 'text/plain', '', cors());
      }
      if (request.method === 'POST' && url.pathname === '/__pbx/make-call') {
        // The PBX end of the webhook adapter's click-to-dial, for the demo: logged, accepted.
        const body = await readBody(request);
        const timestamp = request.headers['x-cti-timestamp'] || '';
        const signed = Boolean(webhookSecret) && request.headers['x-cti-signature'] ===
          'sha256=' + createHmac('sha256', webhookSecret).update(`${timestamp}.${body}`).digest('hex');
        if (!signed) return send(401, 'application/json', JSON.stringify({ error: { code: 'unauthorized', message: 'bad signature' } }));
        const makeCall = JSON.parse(body);
        add({ method: 'MakeCall (at the PBX)', args: makeCall, frame: 'pbx', at: Date.now() });
        return send(200, 'application/json', JSON.stringify({ call_id: `demo-out-${records.length}` }));
      }
      if (request.method === 'POST' && url.pathname === '/__config') {
        // Set once by whoever started the console, when the softphone's address is known.
        if (state.softphoneUrl) return send(409, 'text/plain', 'already set');
        const body = JSON.parse(await readBody(request));
        state.softphoneUrl = new URL(body.softphoneUrl).href;
        return send(204, 'text/plain', '');
      }
      if (request.method === 'GET' && url.pathname === '/__apex') {
        const p = url.searchParams;
        const result = sf ? await sf.search(p.get('objectName') || '', p.get('fieldName') || '',
                                            p.get('value') || '', p.get('matchMode') || '')
                          : { error: 'the console has no Salesforce emulator' };
        return send(200, 'text/plain; charset=utf-8', JSON.stringify(result), cors());
      }
      if (request.method === 'GET' && url.pathname === '/__records') {
        const since = Number(url.searchParams.get('since') || 0);
        return send(200, 'application/json', JSON.stringify(records.slice(since)));
      }
      send(404, 'text/plain', 'not found');
    } catch (error) {
      send(500, 'text/plain', String(error.message || error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const origin = `https://127.0.0.1:${server.address().port}`;

  return {
    origin,
    url: `${origin}/`,
    records,
    events,
    salesforce: sf,
    set softphoneUrl(value) { state.softphoneUrl = value; },
    get softphoneUrl() { return state.softphoneUrl; },
    /** Resolves with the records once `predicate(records)` holds; rejects after `timeoutMs`. */
    waitFor(predicate, timeoutMs = 10000, what = 'Open CTI calls') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(records)) return false;
          cleanup();
          resolve(records);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; recorded: ${JSON.stringify(records.map((r) => r.method))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          events.off('record', check);
        };
        events.on('record', check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function readBody(request) {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 65536) throw new Error('request body too large');
  }
  return body;
}

function option(args, name, fallback = '') {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && index + 1 < args.length ? args[index + 1] : fallback;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const sfUrl = option(args, 'salesforce');
  const console_ = await startConsole({
    cert: readFileSync(option(args, 'cert')),
    key: readFileSync(option(args, 'key')),
    softphoneUrl: option(args, 'softphone'),
    port: Number(option(args, 'port', '0')),
    webhookSecret: option(args, 'webhook-secret-file') ? readFileSync(option(args, 'webhook-secret-file'), 'utf8').trim() : '',
    salesforce: sfUrl ? {
      url: sfUrl, ca: readFileSync(option(args, 'ca')),
      clientId: option(args, 'client-id'), clientSecret: option(args, 'client-secret'),
    } : null,
  });
  console.log(`console listening on ${console_.url}`);
  const stop = () => console_.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
