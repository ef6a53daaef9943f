// The help queue (issue 12, acceptance 1): a visitor asks for help at the
// kiosk; within two seconds the ticket is on the peer's queue, opened in
// a second browser, without a reload; the peer takes it, the kiosk says
// "your number is called", and the ticket ends as helped. The desk's
// dashboard follows the queue live as well. axe-core checks the new
// kiosk screens and the queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, signIn, msg, smallTargets, SHOTS } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const AXE = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PEER = { email: 'peer@demo.example', password: 'peer-password-2026' };

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')}`);
  }, AXE_TAGS);
}

// Navigations of a page's main frame: a live update must not add one.
function countNavigations(page) {
  const n = { count: 0 };
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) n.count++; });
  return n;
}

async function kiosk() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  return ctx.newPage();
}

test('a ticket from the kiosk reaches the peer live, is called, and ends as helped', { timeout: 120000 }, async () => {
  // The admin adds a peer supporter, as on any day.
  const admin = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  await signIn(admin, srv.base, srv.logins.admin);
  await admin.goto(srv.base + '/admin/users');
  await admin.getByLabel(msg('nl', 'field.email'), { exact: true }).and(admin.locator('input')).fill(PEER.email);
  await admin.getByLabel(msg('nl', 'field.name'), { exact: true }).fill('Samira Peeters');
  await admin.getByLabel(msg('nl', 'field.role')).selectOption('peer');
  await admin.getByLabel(msg('nl', 'field.password'), { exact: true }).and(admin.locator('input')).fill(PEER.password);
  await Promise.all([admin.waitForNavigation(), admin.getByRole('button', { name: msg('nl', 'admin.users.add') }).click()]);
  // The admin's dashboard (the desk's view) stays open on the side.
  await admin.goto(srv.base + '/admin');
  const adminNavs = countNavigations(admin);

  // The peer signs in: their home is the queue. They go on duty and show
  // their first name on the kiosk.
  const peer = await (await browser.newContext({ locale: 'nl-BE', viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(peer, srv.base, PEER);
  await peer.getByRole('heading', { name: new RegExp(msg('nl', 'admin.help.title')) }).first().waitFor();
  await peer.getByLabel(msg('nl', 'admin.help.duty.on')).check();
  await peer.getByLabel(msg('nl', 'admin.help.duty.show_name')).check();
  await Promise.all([peer.waitForNavigation(), peer.getByRole('button', { name: msg('nl', 'admin.help.duty.save') }).click()]);
  await peer.locator('#help-queue[data-live]').waitFor();
  // The live part is connected once the script has shown its note.
  await peer.locator('[data-live-note]').first().waitFor({ state: 'visible' });
  const peerNavs = countNavigations(peer);

  // The visitor, not checked in, sees that a helper is here, and asks.
  const k = await kiosk();
  await k.goto(srv.base + '/kiosk');
  await k.getByText(msg('nl', 'kiosk.help.here')).waitFor();
  await k.getByText('Samira', { exact: true }).waitFor();
  await k.screenshot({ path: join(SHOTS, 'help-idle-nl.png') });
  await k.getByRole('link', { name: msg('nl', 'kiosk.help.need') }).tap();
  await k.getByRole('button', { name: msg('nl', 'kiosk.help.subject.phone') }).waitFor();
  assert.deepEqual(await smallTargets(k), [], 'big targets on the subject screen');
  assert.deepEqual(await violations(k), [], 'axe on the subject screen');
  await k.screenshot({ path: join(SHOTS, 'help-subjects-nl.png') });
  await k.getByRole('button', { name: msg('nl', 'kiosk.help.subject.phone') }).tap();
  await k.getByRole('heading', { name: msg('nl', 'kiosk.help.your_number') }).waitFor();
  const asked = Date.now();
  const number = (await k.locator('#ticket-number').innerText()).trim();
  assert.match(number, /^\d+$/);
  await k.getByText(msg('nl', 'kiosk.help.next')).waitFor();
  assert.deepEqual(await violations(k), [], 'axe on the ticket screen');
  await k.screenshot({ path: join(SHOTS, 'help-ticket-nl.png') });

  // Within two seconds, on the peer's queue and the desk's dashboard, without a reload.
  const row = peer.locator(`#help-open tr[data-number="${number}"]`);
  await row.waitFor({ timeout: 2000 });
  const seen = Date.now() - asked;
  assert.ok(seen <= 2000, `the ticket showed after ${seen} ms`);
  assert.ok((await row.innerText()).includes(msg('nl', 'kiosk.help.subject.phone')), 'the subject is on the row');
  assert.ok((await row.innerText()).includes(msg('nl', 'admin.help.anonymous')), 'no nickname: the visitor did not check in');
  await admin.locator(`#help-open tr[data-number="${number}"]`).waitFor({ timeout: 2000 });
  assert.equal(peerNavs.count, 0, 'the queue did not reload');
  assert.equal(adminNavs.count, 0, 'the dashboard did not reload');
  assert.deepEqual(await violations(peer), [], 'axe on the queue');
  await peer.screenshot({ path: join(SHOTS, 'help-queue.png'), fullPage: true });

  // The peer takes it: the kiosk calls the number, live.
  await Promise.all([peer.waitForNavigation(), row.getByRole('button', { name: `${msg('nl', 'admin.help.take')} ${number}` }).click()]);
  await k.getByRole('heading', { name: msg('nl', 'kiosk.help.called') }).waitFor({ timeout: 3000 });
  assert.equal((await k.locator('.ticket-number').innerText()).trim(), number, 'the called number is the ticket\'s');
  await k.screenshot({ path: join(SHOTS, 'help-called-nl.png') });

  // It ends as helped: off the open queue, in today's ended ones.
  const taken = peer.locator(`#help-open tr[data-number="${number}"]`);
  assert.ok((await taken.innerText()).includes('Samira Peeters'), 'taken by the peer');
  await Promise.all([peer.waitForNavigation(), taken.getByRole('button', { name: `${msg('nl', 'admin.help.outcome.helped')} ${number}` }).click()]);
  const done = peer.locator('#help-done tr', { hasText: msg('nl', 'admin.help.outcome.helped') });
  await done.first().waitFor();
  assert.equal(await peer.locator(`#help-open tr[data-number="${number}"]`).count(), 0, 'no longer open');
  await k.getByRole('heading', { name: msg('nl', 'kiosk.help.ended') }).waitFor({ timeout: 3000 });
  await admin.locator(`#help-open tr[data-number="${number}"]`).waitFor({ state: 'detached', timeout: 3000 });
  assert.equal(adminNavs.count, 0, 'the dashboard followed without a reload');
  await k.context().close();
});

test('the ticket screen in Arabic, right to left, and the themes peers meet', { timeout: 60000 }, async () => {
  const k = await kiosk();
  await k.goto(srv.base + '/kiosk');
  await Promise.all([k.waitForNavigation(), k.getByRole('button', { name: 'العربية' }).tap()]);
  await k.getByRole('link', { name: msg('ar', 'kiosk.help.need') }).tap();
  await k.getByRole('button', { name: msg('ar', 'kiosk.help.subject.paper') }).tap();
  await k.getByRole('heading', { name: msg('ar', 'kiosk.help.your_number') }).waitFor();
  assert.equal(await k.locator('html').getAttribute('dir'), 'rtl');
  assert.deepEqual(await violations(k), [], 'axe on the Arabic ticket screen');
  await k.screenshot({ path: join(SHOTS, 'help-ticket-ar.png') });
  await k.context().close();

  const coord = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  await signIn(coord, srv.base, srv.logins.coordinator);
  await coord.getByRole('link', { name: msg('nl', 'admin.help.themes.nav') }).click();
  await coord.getByRole('heading', { name: msg('nl', 'admin.help.themes.title') }).waitFor();
  assert.deepEqual(await violations(coord), [], 'axe on the themes page');
});
