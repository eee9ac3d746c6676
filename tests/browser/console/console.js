// The demo console: frames the softphone as Salesforce does (sfdcIframeOrigin and mode in the
// adapter URL), shows every Open CTI call the softphone makes, and plays Salesforce's part in
// click-to-dial.

const config = await (await fetch('config.json', { cache: 'no-store' })).json();
const frame = document.getElementById('softphone');
const softphone = new URL(config.softphoneUrl);
softphone.searchParams.set('sfdcIframeOrigin', location.origin);
softphone.searchParams.set('mode', 'Lightning');
softphone.searchParams.set('nonce', 'demo');
frame.src = softphone.href;

function describe(entry) {
  const args = entry.args || {};
  if (entry.method === 'screenPop') {
    const params = args.params || {};
    if (params.recordId) return `${params.recordId}${entry.record ? ` — ${entry.record}` : ''}`;
    if (params.entityName) return `new ${params.entityName} ${JSON.stringify(params.defaultFieldValues || {})}`;
    return JSON.stringify(params);
  }
  if (entry.method === 'searchAndScreenPop') return `search "${args.searchParams}" then pop (new record: ${JSON.stringify(args.defaultFieldValues || {})})`;
  if (entry.method === 'runApex') return `${args.apexClass}.${args.methodName}(${args.methodParams})`;
  return '';
}

function show(entry) {
  const item = document.createElement('li');
  const detail = describe(entry);
  item.textContent = `${new Date(entry.at).toLocaleTimeString()}  ${entry.method}${detail ? ': ' + detail : ''}`;
  const pop = entry.method === 'screenPop' || entry.method === 'searchAndScreenPop';
  item.classList.toggle('pop', pop);
  document.getElementById('log').prepend(item);
  if (pop) document.getElementById('pop-target').textContent = `${entry.method}: ${detail}`;
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.origin !== softphone.origin) return;
  const data = event.data || {};
  if (data.type !== 'opencti' || !data.entry) return;
  if (data.entry.method === 'screenPop' && data.entry.args?.params?.recordId) {
    // The console's server knows the sample org: show the record's name too.
    fetch(`__name?id=${encodeURIComponent(data.entry.args.params.recordId)}`)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '')
      .then((name) => show({ ...data.entry, record: name }));
  } else {
    show(data.entry);
  }
});

for (const button of document.querySelectorAll('#dial-links button')) {
  button.addEventListener('click', () => {
    frame.contentWindow.postMessage({
      type: 'clickToDial', number: button.dataset.number,
      recordName: button.dataset.recordName, objectType: button.dataset.objectType,
    }, softphone.origin);
  });
}
