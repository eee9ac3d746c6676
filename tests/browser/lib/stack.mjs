// Starts what one browser test file needs, all on 127.0.0.1 with free ports, and stops it:
// a throwaway certificate, the Salesforce emulator (sfemu), agents and seats (ctictl), a PBX
// stand-in (signed webhook events up, MakeCall requests down), sfproxy serving the softphone,
// the console page that frames it, and headless Chromium.

import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

import { startConsole } from '../console/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = resolve(here, '../../..');
const buildDir = process.env.CTI_BUILD_DIR || join(sourceDir, 'build');
export const binaries = {
  sfproxy: process.env.CTI_SFPROXY || join(buildDir, 'apps/sfproxy/sfproxy'),
  ctictl: process.env.CTI_CTICTL || join(buildDir, 'apps/ctictl/ctictl'),
  sfemu: process.env.CTI_SFEMU || join(buildDir, 'tests/sfemu/sfemu'),
};
export const artefactsDir = process.env.CTI_ARTEFACTS || join(buildDir, 'browser-artefacts');

export const k_agent = { extension: '137', password: 'correct horse battery', name: 'Rose Gonzalez' };
export const k_no_seat = { extension: '138', password: 'battery staple horse', name: 'Tim Barr' };
const k_secret = 'browser-test-webhook-secret-0123456789';
const k_client = { id: '3MVG9sfemuDemoConsumerKeyForSfproxy', secret: 'sfemu-demo-secret-0001' };

export const chromiumArgs = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                             '--disable-background-networking'];

/** Starts a process and resolves once a line of its output matches `ready`. */
function startProcess(file, args, { ready, cwd, timeoutMs = 15000 }) {
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let started = false;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => fail(new Error(`${file} did not start: ${output}`)), timeoutMs);
    const fail = (error) => {
      if (started) return;  // a later exit is stopProcess's business
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(error);
    };
    const onData = (chunk) => {
      output += chunk;
      const match = !started && output.match(ready);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolvePromise({ child, match, output: () => output });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => fail(new Error(`${file} exited with ${code}: ${output}`)));
    child.once('error', fail);
  });
}

function stopProcess(proc) {
  if (!proc || proc.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
    proc.child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    proc.child.kill('SIGTERM');
  });
}

function httpsRequest(url, { method = 'GET', headers = {}, body, ca }) {
  return new Promise((resolvePromise, reject) => {
    const request = https.request(url, { method, headers, ca, timeout: 10000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolvePromise({ status: response.statusCode, text }));
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}

/** The PBX side of the webhook adapter: posts signed call events, receives MakeCall. */
class FakePbx {
  constructor(ca) {
    this.ca = ca;
    this.eventsUrl = '';
    this.makeCalls = [];
    this.waiters = [];
    this.ringing = new Set();
    this.server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        const timestamp = request.headers['x-cti-timestamp'] || '';
        const expected = 'sha256=' + createHmac('sha256', k_secret).update(`${timestamp}.${body}`).digest('hex');
        const signed = request.headers['x-cti-signature'] === expected;
        this.makeCalls.push({ signed, body: JSON.parse(body) });
        this.waiters = this.waiters.filter((w) => !w());
        response.writeHead(signed ? 200 : 401, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(signed ? { call_id: `out-${this.makeCalls.length}` } : { error: { code: 'unauthorized', message: 'bad signature' } }));
      });
    });
  }

  async listen() {
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${this.server.address().port}/make-call`;
  }

  /** Posts one call event (see docs/webhook.md), signed as the PBX would. */
  async send(event) {
    const body = JSON.stringify({ extension: k_agent.extension, direction: 'inbound', ...event });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = 'sha256=' + createHmac('sha256', k_secret).update(`${timestamp}.${body}`).digest('hex');
    const reply = await httpsRequest(this.eventsUrl, {
      method: 'POST', body, ca: this.ca,
      headers: { 'Content-Type': 'application/json', 'X-CTI-Timestamp': timestamp, 'X-CTI-Signature': signature },
    });
    if (reply.status !== 200) throw new Error(`PBX event refused: ${reply.status} ${reply.text}`);
  }

  ring(callId, ani, ivrData = '') {
    this.ringing.add(callId);
    return this.send({ event: 'ringing', call_id: callId, ani, dnis: '8005550100', ivr_data: ivrData });
  }

  hangUp(callId) {
    this.ringing.delete(callId);
    return this.send({ event: 'disconnected', call_id: callId, end_reason: 'remote_hangup' });
  }

  /** Ends the calls a test left ringing (after a failure), so the next test starts idle. */
  async endAll() {
    for (const callId of [...this.ringing]) await this.hangUp(callId).catch(() => {});
  }

  waitForMakeCall(timeoutMs = 10000) {
    return new Promise((resolvePromise, reject) => {
      const count = this.makeCalls.length;
      const timer = setTimeout(() => reject(new Error('no MakeCall reached the PBX')), timeoutMs);
      const check = () => {
        if (this.makeCalls.length <= count) return false;
        clearTimeout(timer);
        resolvePromise(this.makeCalls[this.makeCalls.length - 1]);
        return true;
      };
      this.waiters.push(check);
    });
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(r));
  }
}

/**
 * Starts the whole stack. `mode` is the proxy's matching mode ('server' or 'agent').
 * Returns an object with console, pbx, browser, softphoneUrl, salesforce and stop().
 */
export async function startStack({ mode = 'server' } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'cti-browser-'));
  mkdirSync(artefactsDir, { recursive: true });
  const stack = { work, processes: [] };
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(work, 'cert.pem'));
    const key = readFileSync(join(work, 'key.pem'));

    const sfemu = await startProcess(binaries.sfemu, ['--data', join(sourceDir, 'examples/data/crm.json'),
      '--port', '0', '--tls-cert', join(work, 'cert.pem'), '--tls-key', join(work, 'key.pem')],
    { ready: /listening on (https:\/\/127\.0\.0\.1:\d+)/ });
    stack.processes.push(sfemu);
    const sfUrl = sfemu.match[1];

    const db = join(work, 'agents.db');
    const ctictl = (args, input) => execFileSync(binaries.ctictl, [...args, '--db', db], { input, stdio: ['pipe', 'ignore', 'pipe'] });
    ctictl(['agents', 'add', k_agent.extension, '--name', k_agent.name, '--password-stdin'], `${k_agent.password}\n`);
    ctictl(['agents', 'add', k_no_seat.extension, '--name', k_no_seat.name, '--password-stdin'], `${k_no_seat.password}\n`);
    ctictl(['license', 'set-seats', '5']);
    ctictl(['license', 'assign', k_agent.extension]);

    stack.console = await startConsole({
      cert, key,
      salesforce: { url: sfUrl, ca: cert, clientId: k_client.id, clientSecret: k_client.secret },
    });
    stack.salesforce = stack.console.salesforce;
    stack.pbx = new FakePbx(cert);
    const makeCallUrl = await stack.pbx.listen();

    writeFileSync(join(work, 'sfproxy.yaml'), `
server:
  listen: "127.0.0.1:0"
  public_host: localhost
  tls: {certificate: cert.pem, private_key: key.pem}
  web_root: ${JSON.stringify(join(sourceDir, 'apps/sfproxy/web'))}
  frame_ancestors: ["'self'", "${stack.console.origin}"]
database: agents.db
matching:
  mode: ${mode}
  deadline_ms: 5000
pbx:
  adapter: webhook
  webhook:
    secret: "${k_secret}"
    make_call_url: "${makeCallUrl}"
salesforce:
  instance_url: ${sfUrl}
  auth:
    method: client_credentials
    client_id: ${k_client.id}
    client_secret: ${k_client.secret}
  tls: {ca_file: cert.pem}
log:
  level: info
`);
    const sfproxy = await startProcess(binaries.sfproxy, ['--config', join(work, 'sfproxy.yaml')],
      { ready: /listening on https:\/\/127\.0\.0\.1:(\d+)/, cwd: work });
    stack.processes.push(sfproxy);
    stack.sfproxyLog = sfproxy.output;
    const port = sfproxy.match[1];
    stack.softphoneUrl = `https://localhost:${port}/`;
    stack.console.softphoneUrl = stack.softphoneUrl;
    stack.pbx.eventsUrl = `https://localhost:${port}/pbx/v1/events`;

    stack.browser = await chromium.launch({ executablePath: process.env.CTI_CHROMIUM || '/usr/bin/chromium',
                                            args: chromiumArgs, timeout: 30000 });
  } catch (error) {
    await stopStack(stack);
    throw error;
  }
  stack.stop = () => stopStack(stack);
  return stack;
}

async function stopStack(stack) {
  if (stack.browser) await stack.browser.close().catch(() => {});
  for (const proc of stack.processes.reverse()) await stopProcess(proc);
  if (stack.console) await stack.console.close();
  if (stack.pbx) await stack.pbx.close();
  rmSync(stack.work, { recursive: true, force: true });
}
