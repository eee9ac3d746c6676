// The demo console: frames the softphone as Salesforce does (sfdcIframeOrigin and mode in the
// adapter URL), shows every Open CTI call the softphone makes and every MakeCall that reaches
// the PBX, and plays Salesforce's part in click-to-dial.

const frame = document.getElementById('softphone');
const log = document.getElementById('log');
let softphone = null;
let seen = 0;

function describe(entry) {
  const args = entry.args || {};
  if (entry.method === 'screenPop') {
    const params = args.params || {};
    if (params.recordId) return `${entry.record || 'record'} (${params.recordId})`;
    if (params.entityName) return `new ${params.entityName} ${JSON.stringify(params.defaultFieldValues || {})}`;
    return JSON.stringify(params);
  }
  if (entry.method === 'searchAndScreenPop') {
    return `search "${args.searchParams}", new record ${JSON.stringify(args.defaultFieldValues || {})}`;
  }
  if (entry.method === 'runApex') return `${args.apexClass}.${args.methodName}(${args.methodParams})`;
  if (entry.method.startsWith('MakeCall')) return `extension ${args.extension} dials ${args.number}`;
  if (entry.method === 'setSoftphonePanelVisibility') return `visible: ${args.visible}`;
  return '';
}

function show(entry) {
  const item = document.createElement('li');
  const detail = describe(entry);
  item.textContent = `${new Date(entry.at).toLocaleTimeString()}  ${entry.method}${detail ? ': ' + detail : ''}`;
  const pop = entry.method === 'screenPop' || entry.method === 'searchAndScreenPop';
  item.classList.toggle('pop', pop || entry.method.startsWith('MakeCall'));
  log.prepend(item);
  if (pop) document.getElementById('pop-target').textContent = `${entry.method}: ${detail}`;
}

async function poll() {
  try {
    const entries = await (await fetch(`__records?since=${seen}`, { cache: 'no-store' })).json();
    seen += entries.length;
    entries.forEach(show);
  } catch {
    // the console's server stopped; the page stays as it was
  }
  setTimeout(poll, 700);
}

async function start() {
  const config = await (await fetch('config.json', { cache: 'no-store' })).json();
  softphone = new URL(config.softphoneUrl);
  softphone.searchParams.set('sfdcIframeOrigin', location.origin);
  softphone.searchParams.set('mode', 'Lightning');
  softphone.searchParams.set('nonce', 'demo');
  frame.src = softphone.href;
  poll();
}

for (const button of document.querySelectorAll('#dial-links button')) {
  button.addEventListener('click', () => {
    frame.contentWindow.postMessage({
      type: 'clickToDial', number: button.dataset.number,
      recordName: button.dataset.recordName, objectType: button.dataset.objectType,
    }, softphone.origin);
  });
}

start();
