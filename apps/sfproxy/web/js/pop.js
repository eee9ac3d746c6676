// Screen pops, exactly once per call across reloads and tabs:
//  - the server re-offers a call's pop until some tab acknowledges it (POST .../popped), so a
//    reload during ringing still pops, and a pop already shown is not offered again;
//  - the agent's open tabs agree over a BroadcastChannel which one pops: a tab that gets a
//    pop claims the call, and the oldest claimant pops; a tab that already heard a claim
//    leaves the call to it. (Web Locks and storage are not used: browsers deny both to a
//    cross-site frame when third-party storage is blocked, which is how Salesforce frames us);
//  - where sessionStorage is allowed, a tab also remembers the calls it popped, covering a
//    reload between the pop and its acknowledgement.

const k_popped_key = 'cti.popped';
// Long enough for every open tab's claim to arrive (a message between tabs takes
// milliseconds), short against the seconds a call rings.
const k_claim_wait_ms = 250;

function loadPopped() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(k_popped_key) || '[]'));
  } catch {
    return new Set();
  }
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

export class PopCoordinator {
  /**
   * @param {object} options
   * @param {object} options.bridge   the Salesforce bridge (salesforce.js)
   * @param {object} options.api      the proxy API (api.js)
   * @param {BroadcastChannel|null} options.channel
   * @param {(callId: string) => void} options.onChange  a call's pop view changed
   */
  constructor({ bridge, api, channel, onChange }) {
    this.bridge = bridge;
    this.api = api;
    this.channel = channel;
    this.onChange = onChange;
    // Who is older: the tab signed in first keeps popping while it stays open.
    this.tab = { since: Date.now(), id: Math.random().toString(36).slice(2) };
    this.pops = new Map();    // call id -> {pop, call, popped, working, deferred, records, chooser, note}
    this.claims = new Map();  // call id -> claims heard from other tabs
    this.popped = loadPopped();
    this.stopped = false;
  }

  stop() {
    this.stopped = true;
    this.pops.clear();
    this.claims.clear();
  }

  entry(callId) {
    let entry = this.pops.get(callId);
    if (!entry) {
      entry = { callId, pop: null, call: null, popped: false, working: false, deferred: false,
                records: [], chooser: false, note: '' };
      this.pops.set(callId, entry);
    }
    return entry;
  }

  view(callId) { return this.pops.get(callId) || null; }

  /** A `call` event: popped elsewhere, or ended. */
  onCall(call) {
    if (!['offering', 'ringing', 'dialing', 'connected', 'held'].includes(call.state)) {
      this.pops.delete(call.call_id);
      this.claims.delete(call.call_id);
      return;
    }
    const entry = this.entry(call.call_id);
    entry.call = call;
    if (call.popped && !entry.popped) {
      entry.popped = true;
      if (!entry.note) entry.note = 'Opened in Salesforce in another tab.';
      this.onChange(call.call_id);
    }
  }

  /** A `screenpop` event. */
  onScreenPop(pop) {
    const entry = this.entry(pop.call_id);
    entry.pop = pop;
    const decision = pop.decision;
    if (decision) {
      entry.records = decision.records || [];
      entry.chooser = decision.kind === 'chooser';
    }
    if (this.popped.has(pop.call_id)) {
      // Popped by this tab before a reload; only the acknowledgement may be missing.
      entry.popped = true;
      this.api.markPopped(pop.call_id).catch(() => {});
    }
    this.onChange(pop.call_id);
    this.run(entry);
  }

  /** A BroadcastChannel message from another tab. */
  onMessage(message) {
    if (message.type === 'claim' && typeof message.callId === 'string') {
      if (!this.claims.has(message.callId)) this.claims.set(message.callId, []);
      this.claims.get(message.callId).push({ since: Number(message.since), id: String(message.id) });
    } else if (message.type === 'popped' && this.pops.has(message.callId)) {
      const entry = this.pops.get(message.callId);
      entry.popped = true;
      entry.note = message.note ? `${message.note} (in another tab)` : 'Opened in Salesforce in another tab.';
      this.onChange(message.callId);
    }
  }

  olderClaim(callId) {
    const mine = this.tab;
    return (this.claims.get(callId) || []).some((c) => c.since < mine.since ||
                                                       (c.since === mine.since && c.id < mine.id));
  }

  /** Whether this tab pops the call: it claims it unless another tab already did. */
  async claim(callId) {
    if (!this.channel) return true;
    if ((this.claims.get(callId) || []).length) return false;
    this.channel.postMessage({ type: 'claim', callId, since: this.tab.since, id: this.tab.id });
    await sleep(k_claim_wait_ms);
    return !this.olderClaim(callId);
  }

  async run(entry) {
    if (this.stopped || !entry.pop || entry.popped || entry.working || entry.deferred) return;
    if (this.bridge.kind === 'standalone') {
      entry.note = entry.pop.plan ? describePlan(entry.pop.plan) : '';
      this.onChange(entry.callId);
      return;
    }
    entry.working = true;
    try {
      if (!await this.claim(entry.callId)) {
        entry.deferred = true;
        return;
      }
      if (entry.popped || this.stopped) return;  // another tab's pop was announced meanwhile
      const note = entry.pop.decision ? await this.popDecision(entry) : await this.popPlan(entry);
      if (note) await this.acknowledge(entry, note);
    } catch (error) {
      entry.note = `Screen pop failed: ${error.message}`;
    } finally {
      entry.working = false;
      this.onChange(entry.callId);
    }
  }

  /** Server mode: the proxy already searched. Returns a note when something popped. */
  async popDecision(entry) {
    const decision = entry.pop.decision;
    switch (decision.kind) {
      case 'record': {
        const record = decision.records[0];
        return await this.bridge.popRecord(record.id) ? `Opened ${label(record)}` : '';
      }
      case 'new_record':
        return await this.bridge.popNewRecord(decision.new_record_object, decision.default_fields || {})
          ? `Opened a new ${decision.new_record_object}` : '';
      case 'chooser':
        entry.note = 'Several records match: choose one.';
        return '';
      default:
        entry.note = 'No matching record.';
        return '';
    }
  }

  /** Agent mode: the plan's lookups run here, in the agent's Salesforce session. */
  async popPlan(entry) {
    const { plan } = entry.pop;
    const call = entry.call || {};
    for (const step of plan.steps || []) {
      if (step.source === 'ivr') {
        let records;
        try {
          records = await this.bridge.search(step.objects[0], step.field, step.value, step.mode);
        } catch (error) {
          entry.note = `IVR search failed: ${error.message}`;
          continue;
        }
        if (records.length === 0) continue;
        entry.records = records;
        if (records.length > 1) {
          entry.chooser = true;
          entry.note = 'Several records match: choose one.';
          return '';
        }
        return await this.bridge.popRecord(records[0].id) ? `Opened ${label(records[0])}` : '';
      }
      if (step.source === 'caller_id') {
        // Salesforce searches the softphone layout's objects and pops by its rules,
        // including a new record prefilled with the number when nothing matches.
        return await this.bridge.searchAndPop(step.value) ? `Searched Salesforce for ${step.value}` : '';
      }
    }
    if (entry.pop.on_no_match === 'new_record' && entry.pop.new_record_object) {
      const defaults = call.ani ? { Phone: call.ani } : {};
      return await this.bridge.popNewRecord(entry.pop.new_record_object, defaults)
        ? `Opened a new ${entry.pop.new_record_object}` : '';
    }
    entry.note = 'No matching record.';
    return '';
  }

  /** The agent picked one record of several. */
  async choose(callId, record) {
    const entry = this.pops.get(callId);
    if (!entry) return;
    if (await this.bridge.popRecord(record.id)) {
      entry.chooser = false;
      await this.acknowledge(entry, `Opened ${label(record)}`);
      this.onChange(callId);
    }
  }

  async acknowledge(entry, note) {
    entry.popped = true;
    entry.note = note;
    this.popped.add(entry.callId);
    try {
      sessionStorage.setItem(k_popped_key, JSON.stringify([...this.popped].slice(-50)));
    } catch {
      // storage full or blocked: the server's marker still holds
    }
    if (this.channel) this.channel.postMessage({ type: 'popped', callId: entry.callId, note });
    await this.api.markPopped(entry.callId).catch(() => {});
  }
}

export function label(record) {
  return `${record.object} ${record.name || record.id}`.trim();
}

const k_modes = { exact: 'is', starts_with: 'starts with', ends_with: 'ends with', contains: 'contains' };

/** Agent mode outside Salesforce: what the softphone would search for. */
export function describePlan(plan) {
  const parts = (plan.steps || []).map((step) => step.source === 'ivr'
    ? `${step.objects[0]}.${step.field} ${k_modes[step.mode] || step.mode} ${step.value}`
    : `${step.objects.join('/')} with phone ${step.value}`);
  return parts.length ? `Search Salesforce for ${parts.join(', then ')}.` : '';
}
