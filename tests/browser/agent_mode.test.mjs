// Agent-mode matching: the proxy sends the match plan and the softphone searches in the
// agent's Salesforce session: runApex (SoftphoneSearchController.search) for IVR data, and
// searchAndScreenPop for caller ID. The console's runApex runs the class's query against the
// Salesforce emulator, so the Case that comes back is the sample org's.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { callShown, count, idle, idOf, isPopOf, k_wait_ms, newContext, screenshot, signedIn, signedInStandalone } from './lib/pages.mjs';
import { startStack } from './lib/stack.mjs';

const k_test = { timeout: 90000 };

describe('softphone in agent mode', () => {
  let stack;
  let caseId;

  before(async () => {
    stack = await startStack({ mode: 'agent' });
    caseId = await idOf(stack, "SELECT Id FROM Case WHERE CaseNumber = '00001234'");
  }, { timeout: 60000 });

  after(async () => {
    if (stack) await stack.stop();
  });

  it('runs SoftphoneSearchController.search through runApex for the IVR data and pops the Case', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      const start = stack.console.records.length;
      await stack.pbx.ring('agent-ivr-1', '+12128425500', 'Case.CaseNumber=1234');
      const records = await stack.console.waitFor((r) => count(r.slice(start), isPopOf(caseId)) === 1, k_wait_ms,
                                                  'the Case pop');
      const apex = records.slice(start).filter((r) => r.method === 'runApex');
      assert.equal(apex.length, 1);
      assert.equal(apex[0].args.apexClass, 'SoftphoneSearchController');
      assert.equal(apex[0].args.methodName, 'search');
      const params = new URLSearchParams(apex[0].args.methodParams);
      assert.deepEqual([...params.keys()], ['objectName', 'fieldName', 'value', 'matchMode']);
      assert.equal(params.get('objectName'), 'Case');
      assert.equal(params.get('fieldName'), 'CaseNumber');
      assert.match(params.get('value'), /^0*1234$/);
      assert.ok(['exact', 'starts_with', 'ends_with', 'contains'].includes(params.get('matchMode')));
      // The IVR lookup found the Case: no caller-ID search after it.
      assert.equal(count(records.slice(start), (r) => r.method === 'searchAndScreenPop'), 0);
      await phone.locator(`#match-list [data-record-id="${caseId}"]`).waitFor();
      await page.locator('#pop-target').filter({ hasText: caseId }).waitFor();
      await screenshot(page, 'agent-mode-runapex-pop');
      await stack.pbx.hangUp('agent-ivr-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('hands caller ID to searchAndScreenPop with the number for a new record', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { phone } = await signedIn(stack, context);
      const start = stack.console.records.length;
      await stack.pbx.ring('agent-ani-1', '+12128425500');
      const records = await stack.console.waitFor((r) => count(r.slice(start), (e) => e.method === 'searchAndScreenPop') === 1,
                                                  k_wait_ms, 'searchAndScreenPop');
      const search = records.slice(start).find((e) => e.method === 'searchAndScreenPop');
      assert.match(search.args.searchParams, /2128425500$/);
      assert.deepEqual(search.args.defaultFieldValues, { Phone: search.args.searchParams });
      assert.equal(search.args.callType, 'inbound');
      assert.equal(search.args.deferred, false);
      assert.equal(search.args.queryParams, '');
      assert.equal(count(records.slice(start), (e) => e.method === 'runApex'), 0);
      await stack.pbx.hangUp('agent-ani-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('outside Salesforce, says what it would search for and keeps the session across a reload', k_test, async () => {
    const context = await newContext(stack);
    try {
      const page = await signedInStandalone(stack, context);
      const start = stack.console.records.length;
      await stack.pbx.ring('agent-alone-1', '+12128425500', 'Case.CaseNumber=1234');
      await callShown(page, 'agent-alone-1', 'ringing');
      await page.locator('#pop-note').filter({ hasText: /Search Salesforce for Case\.CaseNumber .*1234/ }).waitFor();
      // A first-party page keeps its session in sessionStorage.
      await page.reload();
      await callShown(page, 'agent-alone-1', 'ringing');
      await screenshot(page, 'standalone-agent-mode');
      assert.equal(stack.console.records.length, start, 'no Open CTI calls outside Salesforce');
      await stack.pbx.hangUp('agent-alone-1');
      await idle(page);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });
});
