// The softphone in headless Chromium, framed by the console (a different origin standing in
// for Salesforce) with the recording Open CTI stand-in; sfproxy matches in server mode
// against the Salesforce emulator; calls come from a PBX stand-in over the webhook adapter.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  callShown, count, hasSessionStorage, idle, idOf, isPopOf, k_wait_ms, newContext, openConsole, resumedAfter,
  screenshot, sessionCookie, signIn, signedIn, signedInStandalone, softphoneFrame,
} from './lib/pages.mjs';
import { k_agent, k_no_seat, startStack } from './lib/stack.mjs';

const k_test = { timeout: 90000 };

describe('softphone in server mode', () => {
  let stack;
  let caseId;
  let jordanId;

  before(async () => {
    stack = await startStack({ mode: 'server' });
    caseId = await idOf(stack, "SELECT Id FROM Case WHERE CaseNumber = '00001234'");
    jordanId = await idOf(stack, "SELECT Id FROM Contact WHERE LastName = 'Ellis'");
  }, { timeout: 60000 });

  after(async () => {
    if (stack) await stack.stop();
  });

  it('says why a sign-in fails: wrong password, no seat, throttled, server unreachable', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await openConsole(stack, context);
      assert.equal(await phone.locator('#host').inputValue(), new URL(stack.softphoneUrl).origin);
      const error = phone.locator('#signin-error');

      await signIn(phone, { extension: k_agent.extension, password: 'not the password' });
      await error.filter({ hasText: 'Wrong sign-in address or password' }).waitFor();

      await signIn(phone, k_no_seat);
      await error.filter({ hasText: 'No licence seat' }).waitFor();
      await screenshot(page, 'signin-no-seat');

      await page.route('**/api/v1/session', (route) => route.fulfill({
        status: 429, contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'rate_limited', message: 'too many attempts' } }),
      }));
      await signIn(phone);
      await error.filter({ hasText: 'Too many sign-in attempts' }).waitFor();

      await page.unroute('**/api/v1/session');
      await page.route('**/api/v1/session', (route) => route.abort('connectionrefused'));
      await signIn(phone);
      await error.filter({ hasText: 'Cannot reach the server' }).waitFor();
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('signs in, shows the idle phone, keeps the query string and tells Salesforce it is ready', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await openConsole(stack, context);
      await screenshot(page, 'signin');
      await signIn(phone);
      await phone.locator('#app[data-state="idle"]').waitFor();
      assert.ok(await phone.locator('#idle .phone-icon').isVisible());
      assert.match(await phone.locator('#agent-name').textContent(), /Rose Gonzalez \(137\)/);
      const frameUrl = new URL(page.frames().find((f) => f !== page.mainFrame()).url());
      assert.equal(frameUrl.searchParams.get('sfdcIframeOrigin'), stack.console.origin);
      assert.equal(frameUrl.searchParams.get('mode'), 'Lightning');
      await stack.console.waitFor((r) => count(r, (e) => e.method === 'enableClickToDial') > 0);
      const methods = stack.console.records.map((r) => r.method);
      assert.ok(methods.includes('notifyInitializationComplete'));
      assert.ok(methods.includes('onClickToDial'));
      await phone.locator('#app[data-link="up"]').waitFor();
      await phone.locator('#dial-prefixes').filter({ hasText: 'outside 9' }).waitFor({ state: 'attached' });
      await screenshot(page, 'idle');
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('pops the Case keyed into the IVR (Case.CaseNumber=1234) on an inbound call', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      await stack.pbx.ring('ivr-1', '+12128425500', 'Case.CaseNumber=1234');
      await callShown(phone, 'ivr-1', 'ringing');
      const records = await stack.console.waitFor((r) => count(r, isPopOf(caseId)) === 1, k_wait_ms, 'the Case pop');
      const pop = records.find(isPopOf(caseId));
      assert.equal(pop.args.type, 'sobject');
      assert.ok(count(records, (r) => r.method === 'setSoftphonePanelVisibility' && r.args.visible === true) > 0);
      await phone.locator('#call-number').filter({ hasText: '+12128425500' }).waitFor();
      await phone.locator('#call-ivr').filter({ hasText: 'Case.CaseNumber' }).waitFor();
      await phone.locator(`#match-list [data-record-id="${caseId}"]`).waitFor();
      await phone.locator('#pop-note').filter({ hasText: 'Opened Case' }).waitFor();
      await page.locator('#pop-target').filter({ hasText: caseId }).waitFor();
      await screenshot(page, 'incoming-case-pop');

      // The webhook PBX cannot answer from the softphone: the agent is told so.
      await phone.locator('#answer').click();
      await phone.locator('#call-message').filter({ hasText: 'cannot answer from the softphone' }).waitFor();

      await stack.pbx.hangUp('ivr-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('pops the caller by caller ID when there is no IVR data', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      await stack.pbx.ring('ani-1', '+12128425500');
      await stack.console.waitFor((r) => count(r, isPopOf(jordanId)) === 1, k_wait_ms, 'the Contact pop');
      await phone.locator('#call-name').filter({ hasText: 'Jordan Ellis' }).waitFor();
      await page.locator('#pop-target').filter({ hasText: jordanId }).waitFor();
      await screenshot(page, 'incoming-caller-id-pop');
      await stack.pbx.hangUp('ani-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('offers a chooser when several records share the number, and pops the chosen one', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      const before = stack.console.records.length;
      await stack.pbx.ring('many-1', '(212) 555-0100');
      await phone.locator('#match-list[data-chooser="true"] button').first().waitFor();
      const choices = await phone.locator('#match-list button').count();
      assert.ok(choices >= 2, `${choices} choices`);
      await phone.locator('#pop-note').filter({ hasText: 'choose one' }).waitFor();
      await screenshot(page, 'incoming-chooser');
      assert.equal(count(stack.console.records.slice(before), (r) => r.method === 'screenPop'), 0);
      const chosen = await phone.locator('#match-list button').nth(1).getAttribute('data-record-id');
      await phone.locator('#match-list button').nth(1).click();
      await stack.console.waitFor((r) => count(r, isPopOf(chosen)) === 1, k_wait_ms, 'the chosen pop');
      await phone.locator('#pop-note').filter({ hasText: 'Opened' }).waitFor();
      await stack.pbx.hangUp('many-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('opens a new record prefilled with the number when nothing matches', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { phone } = await signedIn(stack, context);
      await stack.pbx.ring('none-1', '+14045550999');
      const records = await stack.console.waitFor((r) => count(r, (e) => e.method === 'screenPop' &&
        e.args.type === 'newRecord') === 1, k_wait_ms, 'the new-record pop');
      const pop = records.find((e) => e.method === 'screenPop' && e.args.type === 'newRecord');
      assert.ok(pop.args.params.entityName, 'an object to create');
      assert.match(JSON.stringify(pop.args.params.defaultFieldValues), /4045550999/);
      await stack.pbx.hangUp('none-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('click-to-dial and the dial pad place the call through the PBX with the dial string', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      const clicked = stack.pbx.waitForMakeCall();
      await page.locator('#dial-links button[data-number="(212) 842-5500"]').click();
      const made = await clicked;
      assert.ok(made.signed, 'MakeCall signed with the shared secret');
      assert.equal(made.body.extension, k_agent.extension);
      assert.equal(made.body.number, '912128425500');  // outside line 9, long distance 1
      await phone.locator('#dial-message').filter({ hasText: 'Calling (212) 842-5500' }).waitFor();
      await page.locator('#log li').filter({ hasText: 'onClickToDial' }).first().waitFor();
      await screenshot(page, 'click-to-dial');

      const typed = stack.pbx.waitForMakeCall();
      await phone.locator('#dial-number').fill('');
      for (const key of ['4', '1', '5', '5', '5', '5', '0', '1', '1', '0']) {
        await phone.locator(`.keys button[data-key="${key}"]`).click();
      }
      await phone.locator('#dial').click();
      assert.equal((await typed).body.number, '914155550110');
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('resumes without the password and pops exactly once when the page reloads during ringing', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      // As in Salesforce: the frame is cross-site, so the browser gives it no storage, but it
      // keeps the Partitioned session cookie (keyed by the framing site).
      assert.equal(await hasSessionStorage(softphoneFrame(page)), false, 'sessionStorage in the cross-site frame');
      const cookie = await sessionCookie(context);
      assert.ok(cookie, 'the session cookie');
      assert.equal(cookie.path, '/api/v1/');
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.partitionKey, new URL(stack.console.origin).origin.replace(/:\d+$/, ''));

      const popsBefore = count(stack.console.records, isPopOf(caseId));
      await stack.pbx.ring('reload-1', '+12128425500', 'Case.CaseNumber=1234');
      await stack.console.waitFor((r) => count(r, isPopOf(caseId)) === popsBefore + 1, k_wait_ms, 'the first pop');
      await resumedAfter(page, phone, () => page.reload());
      await callShown(phone, 'reload-1', 'ringing');
      await phone.locator('#pop-note').filter({ hasText: 'Opened' }).waitFor();
      // Events are ordered: once a later call has popped, the reloaded page would already
      // have popped the first one again if it were going to.
      const barrier = stack.console.records.length;
      await stack.pbx.ring('reload-2', '+12128425500');
      await stack.console.waitFor((r) => count(r.slice(barrier), isPopOf(jordanId)) === 1, k_wait_ms,
                                  'the barrier pop');
      await stack.pbx.hangUp('reload-2');
      assert.equal(count(stack.console.records, isPopOf(caseId)), popsBefore + 1);
      await stack.pbx.hangUp('reload-1');
      await idle(phone);

      // A call that rings while no softphone is open pops when it comes back.
      await page.goto('about:blank');
      const start = stack.console.records.length;
      await stack.pbx.ring('reload-3', '+12128425500', 'Case.CaseNumber=1234');
      await resumedAfter(page, phone, () => page.goto(stack.console.url));
      await callShown(phone, 'reload-3', 'ringing');
      await stack.console.waitFor((r) => count(r.slice(start), isPopOf(caseId)) === 1, k_wait_ms, 'the pop after reload');
      await stack.pbx.hangUp('reload-3');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('with two tabs open, one pops and the other shows the call', k_test, async () => {
    const context = await newContext(stack);
    try {
      const first = await signedIn(stack, context);
      // The second tab picks up the first tab's session without a sign-in.
      const second = await openConsole(stack, context);
      await second.phone.locator('#app[data-state="idle"][data-link="up"]').waitFor();

      const start = stack.console.records.length;
      await stack.pbx.ring('tabs-1', '+12128425500', 'Case.CaseNumber=1234');
      await callShown(first.phone, 'tabs-1');
      await callShown(second.phone, 'tabs-1');
      await stack.console.waitFor((r) => count(r.slice(start), isPopOf(caseId)) === 1, k_wait_ms, 'one pop');
      await stack.pbx.ring('tabs-2', '+12128425500');  // barrier, as above
      await stack.console.waitFor((r) => count(r.slice(start), isPopOf(jordanId)) === 1, k_wait_ms, 'the barrier pop');
      assert.equal(count(stack.console.records.slice(start), isPopOf(caseId)), 1);
      await second.phone.locator('#pop-note').filter({ hasText: 'Opened' }).waitFor();
      await screenshot(second.page, 'two-tabs-follower');
      await stack.pbx.hangUp('tabs-1');
      await stack.pbx.hangUp('tabs-2');

      // With one tab closed, the other pops the next call.
      await first.page.close();
      const next = stack.console.records.length;
      await stack.pbx.ring('tabs-3', '+12128425500', 'Case.CaseNumber=1234');
      await stack.console.waitFor((r) => count(r.slice(next), isPopOf(caseId)) === 1, k_wait_ms, 'the pop in the other tab');
      await stack.pbx.hangUp('tabs-3');
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('saves the match settings and keeps them across a reload', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      await phone.locator('#settings-toggle').click();
      await phone.locator('#settings').waitFor();
      await phone.locator('#settings-message').waitFor({ state: 'hidden' });
      const initialMatch = await phone.locator('#ivr-match').inputValue();
      assert.equal(await phone.locator('input[value="Lead"]').isChecked(), true);
      await phone.locator('input[value="Lead"]').uncheck();
      await phone.locator('#ivr-match').selectOption('exact');
      await phone.locator('#settings-save').click();
      await phone.locator('#settings-message').filter({ hasText: 'Saved' }).waitFor();
      await screenshot(page, 'settings');

      await resumedAfter(page, phone, () => page.reload());
      await phone.locator('#settings-toggle').click();
      await phone.locator('#settings').waitFor();
      await phone.locator('#settings-message').waitFor({ state: 'hidden' });
      assert.equal(await phone.locator('input[value="Lead"]').isChecked(), false);
      assert.equal(await phone.locator('input[value="Contact"]').isChecked(), true);
      assert.equal(await phone.locator('#ivr-match').inputValue(), 'exact');

      // Back to the defaults for the tests that follow.
      await phone.locator('input[value="Lead"]').check();
      await phone.locator('#ivr-match').selectOption(initialMatch);
      await phone.locator('#settings-save').click();
      await phone.locator('#settings-message').filter({ hasText: 'Saved' }).waitFor();
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('loads Open CTI only from an origin the server lets frame the page', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await openConsole(stack, context);
      await phone.locator('html[data-crm="lightning"]').waitFor();
      const requested = [];
      page.on('request', (request) => requested.push(request.url()));
      const untrusted = new URL(stack.softphoneUrl);
      untrusted.searchParams.set('sfdcIframeOrigin', 'https://open-cti.example');
      untrusted.searchParams.set('mode', 'Lightning');
      await page.evaluate((url) => { document.getElementById('softphone').src = url; }, untrusted.href);
      await phone.locator('html[data-crm="standalone"]').waitFor();
      await phone.locator('#app[data-state="signin"]').waitFor();
      assert.deepEqual(requested.filter((url) => new URL(url).hostname === 'open-cti.example'), []);
    } finally {
      await context.close();
    }
  });

  it('in Salesforce Classic, uses sforce.interaction', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await openConsole(stack, context);
      const classic = new URL(stack.softphoneUrl);
      classic.searchParams.set('sfdcIFrameOrigin', stack.console.origin);  // Classic's spelling, no mode
      await page.evaluate((url) => { document.getElementById('softphone').src = url; }, classic.href);
      await phone.locator('html[data-crm="classic"]').waitFor();
      const start = stack.console.records.length;
      await signIn(phone);
      await phone.locator('#app[data-state="idle"][data-link="up"]').waitFor();
      await stack.pbx.ring('classic-1', '+12128425500', 'Case.CaseNumber=1234');
      const records = await stack.console.waitFor((r) => count(r.slice(start), (e) => e.api === 'classic' &&
        e.method === 'screenPop') === 1, k_wait_ms, 'the Classic pop');
      const classicCalls = records.slice(start).filter((e) => e.api === 'classic');
      assert.deepEqual(classicCalls.find((e) => e.method === 'screenPop').args, { url: `/${caseId}`, force: true });
      assert.ok(classicCalls.some((e) => e.method === 'setVisible' && e.args.visible === true));
      assert.ok(classicCalls.some((e) => e.method === 'enableClickToDial'));
      const dialled = stack.pbx.waitForMakeCall();
      await page.locator('#dial-links button[data-number="(212) 842-5500"]').click();
      assert.equal((await dialled).body.number, '912128425500');
      await stack.pbx.hangUp('classic-1');
      await idle(phone);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('outside Salesforce, shows the matches as links', k_test, async () => {
    const context = await newContext(stack);
    try {
      const page = await signedInStandalone(stack, context);
      await stack.pbx.ring('alone-1', '+12128425500', 'Case.CaseNumber=1234');
      const link = page.locator(`#match-list a[data-record-id="${caseId}"]`);
      await link.waitFor();
      assert.equal(await link.getAttribute('href'), `https://login.salesforce.com/${caseId}`);
      await screenshot(page, 'standalone-links');
      await stack.pbx.hangUp('alone-1');
      await idle(page);
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });

  it('signs out, turns click-to-dial off and forgets the session, cookie included', k_test, async () => {
    const context = await newContext(stack);
    try {
      const { page, phone } = await signedIn(stack, context);
      assert.ok(await sessionCookie(context), 'the session cookie before sign-out');
      const start = stack.console.records.length;
      await phone.locator('#signout').click();
      await phone.locator('#app[data-state="signin"]').waitFor();
      await phone.locator('#signin-error').filter({ hasText: 'Signed out' }).waitFor();
      await stack.console.waitFor((r) => count(r.slice(start), (e) => e.method === 'disableClickToDial') === 1);
      assert.equal(await sessionCookie(context), undefined, 'the session cookie after sign-out');
      const resume = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
                                                 r.request().method() === 'GET');
      await page.reload();
      assert.equal((await resume).status(), 401);
      await phone.locator('#app:not([data-state="loading"])').waitFor();
      assert.equal(await phone.locator('#app').getAttribute('data-state'), 'signin');
      assert.equal(await phone.locator('#password').inputValue(), '');
    } finally {
      await context.close();
      await stack.pbx.endAll();
    }
  });
});
