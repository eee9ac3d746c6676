// The one place that speaks Open CTI. Everything else talks to a Salesforce "bridge" with
// the same small interface for Lightning (sforce.opencti), Classic (sforce.interaction) and
// standalone use outside Salesforce, so that another CRM channel can replace this file.

const k_api_version = '60.0';
const k_call_timeout_ms = 10000;
const k_apex_class = 'SoftphoneSearchController';
// Salesforce's own domains, trusted when the page cannot read the server's framing list.
const k_salesforce_suffixes = ['.force.com', '.salesforce.com', '.visualforce.com', '.salesforce-setup.com'];
// Classic has no new-record modal: the object's edit page by key prefix instead.
const k_key_prefixes = { Account: '001', Contact: '003', Lead: '00Q', Case: '500' };

/**
 * The framing sources of the server's Content-Security-Policy (frame-ancestors): the origins
 * an administrator allows to frame the softphone are the ones it loads Open CTI from.
 */
export async function trustedSources() {
  try {
    const response = await fetch(location.pathname, {
      method: 'GET', cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(k_call_timeout_ms),
    });
    const policy = response.headers.get('Content-Security-Policy') || '';
    const directive = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('frame-ancestors'));
    if (directive) return directive.split(/\s+/).slice(1);
  } catch {
    // fall through to Salesforce's domains
  }
  return k_salesforce_suffixes.map((suffix) => `https://*${suffix}`);
}

/** Whether `origin` (scheme://host[:port]) matches one of the CSP sources. */
export function originTrusted(origin, sources) {
  let url;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin.replace(/\/$/, '')) return false;  // no path, query or user
  for (const source of sources) {
    const wildcard = source.match(/^https:\/\/\*(\.[a-z0-9.-]+)$/i);
    if (wildcard) {
      if (url.protocol === 'https:' && url.port === '' && url.hostname.endsWith(wildcard[1].toLowerCase())) return true;
    } else if (/^https?:\/\//i.test(source) && !source.includes('*')) {
      try {
        if (new URL(source).origin === url.origin) return true;
      } catch {
        // not an origin
      }
    }
  }
  return false;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    // The phone must work even when Salesforce does not answer: standalone, then.
    const timer = setTimeout(() => reject(new Error(`${src} did not load`)), k_call_timeout_ms);
    script.src = src;
    script.async = true;
    script.onload = () => {
      clearTimeout(timer);
      resolve();
    };
    script.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`cannot load ${src}`));
    };
    document.head.appendChild(script);
  });
}

/** Calls `method(args)` with a callback, resolving with its response (or rejecting on timeout). */
function withCallback(invoke) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Salesforce did not answer')), k_call_timeout_ms);
    invoke((response) => {
      clearTimeout(timer);
      resolve(response || {});
    });
  });
}

function parseRecords(text) {
  const parsed = typeof text === 'string' ? JSON.parse(text) : text;
  if (!parsed || typeof parsed !== 'object') throw new Error('the search returned no JSON object');
  if (parsed.error) throw new Error(parsed.error);
  const records = Array.isArray(parsed.records) ? parsed.records : [];
  return records.filter((r) => r && typeof r.id === 'string')
    .map((r) => ({ id: r.id, object: String(r.object || ''), name: String(r.name || '') }));
}

function searchParams(objectName, fieldName, value, matchMode) {
  return new URLSearchParams({ objectName, fieldName, value, matchMode }).toString();
}

class LightningBridge {
  constructor(api) {
    this.kind = 'lightning';
    this.api = api;
  }

  call(method, args = {}) {
    return withCallback((callback) => this.api[method]({ ...args, callback }));
  }

  notifyInitializationComplete() { return this.call('notifyInitializationComplete'); }

  async callCenterSettings() {
    const response = await this.call('getCallCenterSettings');
    return response.success ? response.returnValue || {} : {};
  }

  enableClickToDial(onDial) {
    this.api.onClickToDial({ listener: (payload) => onDial(payload && payload.number) });
    return this.call('enableClickToDial');
  }

  disableClickToDial() { return this.call('disableClickToDial'); }

  showPanel() { return this.call('setSoftphonePanelVisibility', { visible: true }); }

  async popRecord(recordId) {
    const response = await this.call('screenPop', {
      type: this.api.SCREENPOP_TYPE.SOBJECT, params: { recordId },
    });
    return response.success !== false;
  }

  async popNewRecord(entityName, defaultFieldValues) {
    const response = await this.call('screenPop', {
      type: this.api.SCREENPOP_TYPE.NEW_RECORD_MODAL, params: { entityName, defaultFieldValues },
    });
    return response.success !== false;
  }

  async searchAndPop(number) {
    const response = await this.call('searchAndScreenPop', {
      searchParams: number, queryParams: '', defaultFieldValues: { Phone: number },
      callType: this.api.CALL_TYPE.INBOUND, deferred: false,
    });
    return response.success !== false;
  }

  async search(objectName, fieldName, value, matchMode) {
    const response = await this.call('runApex', {
      apexClass: k_apex_class, methodName: 'search',
      methodParams: searchParams(objectName, fieldName, value, matchMode),
    });
    if (!response.success) {
      const error = (response.errors || [])[0];
      throw new Error(error ? error.description || error.code : 'runApex failed');
    }
    // Salesforce wraps the method's result as {runApex: "..."}.
    const result = response.returnValue;
    return parseRecords(result && typeof result === 'object' && 'runApex' in result ? result.runApex : result);
  }
}

class ClassicBridge {
  constructor(api) {
    this.kind = 'classic';
    this.api = api;
  }

  notifyInitializationComplete() {
    return withCallback((cb) => this.api.cti.notifyInitializationComplete(cb));
  }

  async callCenterSettings() {
    const response = await withCallback((cb) => this.api.cti.getCallCenterSettings(cb));
    try {
      return response.result ? JSON.parse(response.result) : {};
    } catch {
      return {};
    }
  }

  enableClickToDial(onDial) {
    this.api.cti.onClickToDial((response) => {
      try {
        onDial(JSON.parse(response.result).number);
      } catch {
        // not a click-to-dial payload
      }
    });
    return withCallback((cb) => this.api.cti.enableClickToDial(cb));
  }

  disableClickToDial() { return withCallback((cb) => this.api.cti.disableClickToDial(cb)); }

  showPanel() { return withCallback((cb) => this.api.setVisible(true, cb)); }

  async popRecord(recordId) {
    const response = await withCallback((cb) => this.api.screenPop('/' + encodeURIComponent(recordId), true, cb));
    return !response.error;
  }

  async popNewRecord(entityName) {
    const prefix = k_key_prefixes[entityName];
    if (!prefix) return false;
    const response = await withCallback((cb) => this.api.screenPop(`/${prefix}/e`, true, cb));
    return !response.error;
  }

  async searchAndPop(number) {
    const response = await withCallback((cb) => this.api.searchAndScreenPop(number, '', 'inbound', cb));
    return !response.error;
  }

  async search(objectName, fieldName, value, matchMode) {
    const response = await withCallback((cb) => this.api.runApex(
      k_apex_class, 'search', searchParams(objectName, fieldName, value, matchMode), cb));
    if (response.error) throw new Error(response.error);
    return parseRecords(response.result);
  }
}

/** Outside Salesforce: nothing pops; the page shows matches as links instead. */
class StandaloneBridge {
  constructor(reason = '') {
    this.kind = 'standalone';
    this.reason = reason;
  }
  async notifyInitializationComplete() {}
  async callCenterSettings() { return {}; }
  async enableClickToDial() {}
  async disableClickToDial() {}
  async showPanel() {}
  async popRecord() { return false; }
  async popNewRecord() { return false; }
  async searchAndPop() { return false; }
  async search() { throw new Error('searching needs Salesforce'); }
}

/**
 * The bridge for this page: Salesforce adds `sfdcIframeOrigin` (and `mode=Lightning` in
 * Lightning Experience) to the adapter URL; the library is loaded from that origin when the
 * server's framing policy trusts it.
 */
export async function connectSalesforce(query = new URLSearchParams(location.search)) {
  const origin = query.get('sfdcIframeOrigin') || query.get('sfdcIFrameOrigin');
  if (!origin || window.parent === window) return new StandaloneBridge();
  const sources = await trustedSources();
  if (!originTrusted(origin, sources)) {
    return new StandaloneBridge(`Salesforce origin ${origin} is not trusted by this server`);
  }
  // Lightning says mode=Lightning; Classic spells the parameter sfdcIFrameOrigin and adds no mode.
  const lightning = (query.get('mode') || '').toLowerCase() === 'lightning' || !query.has('sfdcIFrameOrigin');
  const path = lightning ? `/support/api/${k_api_version}/lightning/opencti_min.js`
                         : `/support/api/${k_api_version}/interaction.js`;
  try {
    await loadScript(new URL(path, origin).href);
  } catch (error) {
    return new StandaloneBridge(error.message);
  }
  const sforce = window.sforce || {};
  if (lightning && sforce.opencti) return new LightningBridge(sforce.opencti);
  if (!lightning && sforce.interaction) return new ClassicBridge(sforce.interaction);
  return new StandaloneBridge('the Open CTI library did not load');
}

/** The dialing prefixes of the call centre definition, for display. */
export function dialingPrefixes(settings) {
  return {
    outside: settings['/reqDialingOptions/reqOutsidePrefix'] || '',
    longDistance: settings['/reqDialingOptions/reqLongDistPrefix'] || '',
    international: settings['/reqDialingOptions/reqInternationalPrefix'] || '',
  };
}
