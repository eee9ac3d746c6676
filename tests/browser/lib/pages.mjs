// What the browser tests do with pages: open the console, reach into the framed
// softphone, sign in, count pops, save screenshots.

import assert from 'node:assert/strict';
import { join } from 'node:path';

import { artefactsDir, k_agent } from './stack.mjs';

export const k_wait_ms = 15000;

/** Opens the console in a new tab of `context`; returns {page, phone} (phone: the frame). */
export async function openConsole(stack, context) {
  const page = await context.newPage();
  page.setDefaultTimeout(k_wait_ms);
  await page.goto(stack.console.url);
  const phone = page.frameLocator('#softphone');
  await phone.locator('#app:not([data-state="loading"])').waitFor();
  return { page, phone };
}

export function newContext(stack) {
  return stack.browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 720 } });
}

export async function signIn(phone, { extension, password } = k_agent) {
  await phone.locator('#app[data-state="signin"]').waitFor();
  await phone.locator('#extension').fill(extension);
  await phone.locator('#password').fill(password);
  await phone.locator('#signin-button').click();
}

export async function signedIn(stack, context) {
  const tab = await openConsole(stack, context);
  await signIn(tab.phone);
  await tab.phone.locator('#app[data-state="idle"][data-link="up"]').waitFor();
  return tab;
}

/** The softphone in a tab of its own (no Salesforce around it), signed in and idle. */
export async function signedInStandalone(stack, context) {
  const page = await context.newPage();
  page.setDefaultTimeout(k_wait_ms);
  await page.goto(stack.softphoneUrl);
  await page.locator('html[data-crm="standalone"]').waitFor();
  await signIn(page);
  await page.locator('#app[data-state="idle"][data-link="up"]').waitFor();
  return page;
}

export function screenshot(page, name) {
  return page.screenshot({ path: join(artefactsDir, `${name}.png`) });
}

export const isPopOf = (recordId) => (r) => r.method === 'screenPop' && r.args.params && r.args.params.recordId === recordId;

export function count(records, predicate) {
  return records.filter(predicate).length;
}

/** The Id of the one record a SOQL query finds in the emulator. */
export async function idOf(stack, soql) {
  const rows = await stack.salesforce.query(soql);
  if (rows.length !== 1) throw new Error(`${soql}: ${rows.length} rows`);
  return rows[0].Id;
}

/** Waits until the softphone shows call `callId`. */
export function callShown(phone, callId, state = '') {
  const stateSelector = state ? `[data-call-state="${state}"]` : '';
  return phone.locator(`#call[data-call-id="${callId}"]${stateSelector}`).waitFor();
}

/** Waits until no call is shown. */
export function idle(phone) {
  return phone.locator('#app[data-state="idle"]').waitFor();
}

/** The framed softphone's document (the console's one iframe). */
export function softphoneFrame(page) {
  return page.frames().find((f) => f !== page.mainFrame());
}

/** Whether the softphone may use sessionStorage (a cross-site frame may not). */
export function hasSessionStorage(frame) {
  return frame.evaluate(() => {
    try {
      sessionStorage.setItem('cti.probe', '1');
      sessionStorage.removeItem('cti.probe');
      return true;
    } catch {
      return false;
    }
  });
}

/** The session cookie the browser keeps for the softphone, or undefined. */
export async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'cti_session');
}

/**
 * Loads the console (`navigate`: a reload or a goto) and checks that the framed softphone
 * resumed its session from the Partitioned cookie: GET /api/v1/session answered 200 and
 * the sign-in panel never showed.
 */
export async function resumedAfter(page, phone, navigate) {
  const resume = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/session' &&
                                             r.request().method() === 'GET');
  await navigate();
  assert.equal((await resume).status(), 200, 'GET /api/v1/session');
  await phone.locator('#app:not([data-state="loading"])').waitFor();
  assert.notEqual(await phone.locator('#app').getAttribute('data-state'), 'signin', 'asked for the password');
  await phone.locator('#app[data-link="up"]').waitFor();
}
