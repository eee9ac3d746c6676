// The softphone: sign-in, the phone (idle, call, dial pad, settings), wired to the proxy's API
// and event stream and to Salesforce through the bridge. The page never navigates, so the
// query string Salesforce adds (sfdcIframeOrigin, mode, ...) stays as it was.

import { Api, ApiError, callActionMessage, signInMessage } from './api.js';
import { EventStream } from './event_stream.js';
import { PopCoordinator, label } from './pop.js';
import { connectSalesforce, dialingPrefixes } from './salesforce.js';

const k_session_key = 'cti.session';
const k_active = ['offering', 'ringing', 'dialing', 'connected', 'held'];
const k_caller_objects = ['Contact', 'Lead', 'Account'];
const $ = (id) => document.getElementById(id);

const app = {
  bridge: null,
  bridgeReady: null,
  channel: 'BroadcastChannel' in window ? new BroadcastChannel('cti-softphone') : null,
  session: null,  // {host, token, agent}
  peerSession: null,  // while the page loads: resolves with a session another tab hands over
  api: null,
  stream: null,
  pops: null,
  calls: new Map(),
  shownPanel: new Set(),  // calls for which the softphone panel was opened
  callMessage: '',
};

function show(element, visible) { element.hidden = !visible; }

function setMessage(element, text, kind) {
  element.textContent = text || '';
  element.classList.toggle('error', kind === 'error');
  show(element, Boolean(text));
}

function setState(state) {
  $('app').dataset.state = state;
}

// ---- session ---------------------------------------------------------------------------

function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(k_session_key) || 'null');
    return session && session.token && session.host && session.agent ? session : null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  try {
    if (session) sessionStorage.setItem(k_session_key, JSON.stringify(session));
    else sessionStorage.removeItem(k_session_key);
  } catch {
    // storage blocked: the session lasts as long as the page
  }
}

function showSignIn(message = '', kind = 'error') {
  setState('signin');
  show($('phone'), false);
  show($('signin'), true);
  setMessage($('signin-error'), message, kind);
  $('password').value = '';
  $('signin-button').disabled = false;
}

function normalizedHost(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return '';
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : '';
}

async function signIn(event) {
  event.preventDefault();
  const host = normalizedHost($('host').value);
  const extension = $('extension').value.trim();
  const password = $('password').value;
  if (!host) return setMessage($('signin-error'), 'Enter the Host as https://name:port.', 'error');
  if (!extension || !password) {
    return setMessage($('signin-error'), 'Enter your sign-in address and password.', 'error');
  }
  $('signin-button').disabled = true;
  setMessage($('signin-error'), '');
  try {
    const reply = await new Api(host).signIn(extension, password);
    const session = { host, token: reply.token, agent: reply.agent };
    saveSession(session);
    await startSession(session);
  } catch (error) {
    showSignIn(error instanceof ApiError ? signInMessage(error) : `Sign-in failed: ${error.message}`);
  }
}

async function startSession(session) {
  app.session = session;
  app.api = new Api(session.host, session.token);
  app.calls.clear();
  show($('signin'), false);
  show($('phone'), true);
  $('agent-name').textContent = `${session.agent.display_name || 'Agent'} (${session.agent.extension})`;
  applySettings(session.agent.settings);
  render();

  const bridge = await app.bridgeReady;
  if (app.session !== session) return;  // signed out meanwhile
  app.pops = new PopCoordinator({ bridge, api: app.api, channel: app.channel, onChange: () => render() });
  app.stream = new EventStream({
    url: app.api.url('/api/v1/events'),
    token: () => app.api.token,
    onEvent,
    onState: (state) => {
      $('link-state').className = `dot ${state}`;
      $('link-state').title = { up: 'Connected', down: 'Reconnecting', connecting: 'Connecting' }[state];
      $('app').dataset.link = state;
    },
    onUnauthorized: () => endSession('Your session has ended. Sign in again.'),
  });
  app.stream.start();
  bridge.enableClickToDial((number) => clickToDial(number)).catch(() => {});
}

/** Stops this tab's session. `message` says why on the sign-in panel. */
function endSession(message, kind = 'error') {
  if (app.stream) app.stream.stop();
  if (app.pops) app.pops.stop();
  app.stream = null;
  app.pops = null;
  app.session = null;
  app.calls.clear();
  saveSession(null);
  if (app.bridge) app.bridge.disableClickToDial().catch(() => {});
  showSignIn(message, kind);
}

async function signOut() {
  const { api, session } = app;
  if (!session) return;
  $('signout').disabled = true;
  // Revoked and the cookie cleared before the panel says so: a reload right after must not
  // find the session again.
  if (api) await api.signOut().catch(() => {});
  $('signout').disabled = false;
  if (app.session !== session) return;  // ended meanwhile
  endSession('Signed out.', 'note');
  if (app.channel) app.channel.postMessage({ type: 'signed-out', token: session.token });
}

/**
 * On load without a session of its own: another signed-in tab's (asked over the channel), or
 * the one the server's session cookie names, whichever answers first; null for neither.
 */
async function resumeSession() {
  const fromPeer = new Promise((resolve) => { app.peerSession = resolve; });
  if (app.channel) app.channel.postMessage({ type: 'session?' });
  const host = location.origin;
  const fromCookie = new Api(host).resume().then(
    (reply) => (reply && reply.token && reply.agent ? { host, token: reply.token, agent: reply.agent } : null),
    () => null);
  const session = await Promise.race([fromPeer, fromCookie]);
  app.peerSession = null;  // a later answer reaches the sign-in panel instead
  return session;
}

// ---- events ----------------------------------------------------------------------------

function onEvent(type, data) {
  if (type === 'agent') {
    if (data.type === 'snapshot') app.calls.clear();  // the active calls follow
    if (data.type === 'settings' && data.settings) applySettings(data.settings);
  } else if (type === 'call') {
    if (data.extension && data.extension !== app.session.agent.extension) return;
    if (k_active.includes(data.state)) {
      app.calls.set(data.call_id, data);
    } else {
      app.calls.delete(data.call_id);
      app.shownPanel.delete(data.call_id);
    }
    app.pops.onCall(data);
    if (data.direction === 'inbound' && (data.state === 'ringing' || data.state === 'offering') &&
        !app.shownPanel.has(data.call_id)) {
      app.shownPanel.add(data.call_id);
      app.bridge.showPanel().catch(() => {});
    }
  } else if (type === 'screenpop') {
    app.pops.onScreenPop(data);
  }
  render();
}

function onChannelMessage(message) {
  if (!message || typeof message !== 'object') return;
  if (message.type === 'session?' && app.session) {
    app.channel.postMessage({ type: 'session', session: app.session });
  } else if (message.type === 'session' && !app.session && message.session && app.peerSession) {
    app.peerSession(message.session);
  } else if (message.type === 'session' && !app.session && message.session && $('app').dataset.state === 'signin') {
    saveSession(message.session);
    startSession(message.session);
  } else if (message.type === 'signed-out' && app.session && message.token === app.session.token) {
    endSession('Signed out in another tab.', 'note');
  } else if (app.pops) {
    app.pops.onMessage(message);
  }
}

// ---- rendering -------------------------------------------------------------------------

/** The call the panel shows: a ringing inbound call first, else the newest. */
function currentCall() {
  const calls = [...app.calls.values()];
  const ringing = calls.filter((c) => c.direction === 'inbound' && (c.state === 'ringing' || c.state === 'offering'));
  const pool = ringing.length ? ringing : calls;
  return pool.sort((a, b) => (b.started_at || 0) - (a.started_at || 0))[0] || null;
}

const k_titles = {
  offering: 'Incoming call', ringing: 'Incoming call', dialing: 'Calling',
  connected: 'On call', held: 'On hold',
};

function ivrPairs(text) {
  return (text || '').split(/[;&|,]/).map((part) => part.trim()).filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? ['IVR', part] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

function salesforceLink(record) {
  const base = new URLSearchParams(location.search).get('salesforce');
  const origin = base && /^https:\/\//.test(base) ? normalizedHost(base) : 'https://login.salesforce.com';
  return `${origin}/${encodeURIComponent(record.id)}`;
}

function renderMatches(call, view) {
  const list = $('match-list');
  list.replaceChildren();
  const records = view ? view.records : [];
  show($('matches'), records.length > 0);
  if (!records.length) return;
  $('matches-title').textContent = records.length === 1 ? 'Matched record' : `${records.length} matching records`;
  const standalone = app.bridge && app.bridge.kind === 'standalone';
  for (const record of records) {
    const item = document.createElement('li');
    const object = document.createElement('span');
    object.className = 'object';
    object.textContent = record.object;
    let control;
    if (standalone) {
      control = document.createElement('a');
      control.href = salesforceLink(record);
      control.target = '_blank';
      control.rel = 'noopener';
    } else {
      control = document.createElement('button');
      control.type = 'button';
      control.addEventListener('click', () => app.pops.choose(call.call_id, record));
    }
    control.dataset.recordId = record.id;
    control.append(object, document.createTextNode(record.name || record.id));
    item.append(control);
    list.append(item);
  }
  list.dataset.chooser = String(Boolean(view.chooser));
}

function render() {
  if (!app.session) return;
  const call = currentCall();
  show($('idle'), !call);
  show($('call'), Boolean(call));
  if (!call) {
    setState('idle');
    app.callMessage = '';
    return;
  }
  setState('call');
  const view = app.pops ? app.pops.view(call.call_id) : null;
  $('call').dataset.callId = call.call_id;
  $('call').dataset.callState = call.state;
  $('call-title').textContent = call.direction === 'outbound' && call.state === 'ringing'
    ? 'Calling' : k_titles[call.state] || call.state;
  $('call-number').textContent = call.ani || call.dnis || 'Unknown number';
  const records = view ? view.records : [];
  // The caller's name when the one match is a person or company (not, say, a Case).
  const caller = records.length === 1 && k_caller_objects.includes(records[0].object) ? records[0] : null;
  $('call-name').textContent = caller ? caller.name || label(caller) : '';

  const ivr = ivrPairs(call.ivr_data);
  const dl = $('call-ivr');
  dl.replaceChildren(...ivr.flatMap(([key, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = key;
    const dd = document.createElement('dd');
    dd.textContent = value;
    return [dt, dd];
  }));
  show(dl, ivr.length > 0);

  renderMatches(call, view);
  let note = view ? view.note : '';
  if (view && view.deferred && !view.popped && !note) {
    note = 'The screen pop opens in another tab.';
  }
  setMessage($('pop-note'), note, 'note');

  const ringing = call.direction === 'inbound' && (call.state === 'ringing' || call.state === 'offering');
  show($('answer'), ringing);
  show($('hold'), call.state === 'connected' || call.state === 'held');
  $('hold').textContent = call.state === 'held' ? 'Retrieve' : 'Hold';
  $('hold').dataset.verb = call.state === 'held' ? 'retrieve' : 'hold';
  setMessage($('call-message'), app.callMessage, 'error');
}

async function callAction(verb) {
  const call = currentCall();
  if (!call) return;
  app.callMessage = '';
  try {
    await app.api.callAction(call.call_id, verb);
  } catch (error) {
    app.callMessage = callActionMessage(verb, error);
  }
  render();
}

// ---- dial pad and click-to-dial ----------------------------------------------------------

async function dial(number) {
  const text = (number || '').trim();
  if (!/[0-9]/.test(text)) {
    setMessage($('dial-message'), 'Enter a number to call.', 'error');
    return;
  }
  setMessage($('dial-message'), `Calling ${text}...`, 'note');
  try {
    await app.api.dial(text);
    setMessage($('dial-message'), `Calling ${text}`, 'note');
  } catch (error) {
    setMessage($('dial-message'), error.status === 501
      ? 'This phone system cannot place calls from the softphone.'
      : `Cannot call ${text}: ${error.message}`, 'error');
  }
}

function clickToDial(number) {
  if (!app.session) return;
  show($('dialpad'), true);
  show($('settings'), false);
  $('dial-number').value = number || '';
  app.bridge.showPanel().catch(() => {});
  dial(number);
}

// ---- settings --------------------------------------------------------------------------

function applySettings(settings) {
  if (!settings) return;
  const objects = new Set(settings.caller_id_objects || []);
  for (const box of document.querySelectorAll('input[name=caller_id_objects]')) box.checked = objects.has(box.value);
  if (settings.ivr_match) $('ivr-match').value = settings.ivr_match;
}

async function openSettings() {
  const visible = $('settings').hidden;
  show($('settings'), visible);
  show($('dialpad'), false);
  setMessage($('settings-message'), '');
  if (!visible) return;
  try {
    applySettings(await app.api.settings());
  } catch (error) {
    setMessage($('settings-message'), `Cannot load settings: ${error.message}`, 'error');
  }
}

async function saveSettings(event) {
  event.preventDefault();
  const settings = {
    caller_id_objects: [...document.querySelectorAll('input[name=caller_id_objects]:checked')].map((b) => b.value),
    ivr_match: $('ivr-match').value,
  };
  $('settings-save').disabled = true;
  try {
    const saved = await app.api.saveSettings(settings);
    applySettings(saved);
    if (app.session) {
      app.session.agent.settings = saved;
      saveSession(app.session);
    }
    setMessage($('settings-message'), 'Saved.', 'note');
  } catch (error) {
    setMessage($('settings-message'), `Not saved: ${error.message}`, 'error');
  } finally {
    $('settings-save').disabled = false;
  }
}

// ---- start -----------------------------------------------------------------------------

function wire() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('answer').addEventListener('click', () => callAction('answer'));
  $('hangup').addEventListener('click', () => callAction('hangup'));
  $('hold').addEventListener('click', () => callAction($('hold').dataset.verb || 'hold'));
  $('dialpad-toggle').addEventListener('click', () => {
    show($('dialpad'), $('dialpad').hidden);
    show($('settings'), false);
  });
  $('settings-toggle').addEventListener('click', openSettings);
  $('settings-form').addEventListener('submit', saveSettings);
  $('dial-form').addEventListener('submit', (event) => {
    event.preventDefault();
    dial($('dial-number').value);
  });
  for (const key of document.querySelectorAll('.keys button')) {
    key.addEventListener('click', () => { $('dial-number').value += key.dataset.key; });
  }
  if (app.channel) app.channel.onmessage = (event) => onChannelMessage(event.data);
}

async function main() {
  wire();
  app.bridgeReady = connectSalesforce().then((bridge) => {
    app.bridge = bridge;
    document.documentElement.dataset.crm = bridge.kind;
    bridge.notifyInitializationComplete().catch(() => {});
    bridge.callCenterSettings().then((settings) => {
      const p = dialingPrefixes(settings);
      if (p.outside || p.longDistance || p.international) {
        setMessage($('dial-prefixes'), `Call centre dialing prefixes: outside ${p.outside || '-'}, ` +
          `long distance ${p.longDistance || '-'}, international ${p.international || '-'}.`, 'note');
      }
    }).catch(() => {});
    return bridge;
  });

  const stored = loadSession();
  $('host').value = stored ? stored.host : location.origin;
  const session = stored || await resumeSession();
  if (session) {
    if (!stored) saveSession(session);
    await startSession(session);
  } else {
    showSignIn();
  }
}

main();
