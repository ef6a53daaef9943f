// Courses at the kiosk: the last seat from two kiosks at once, the waiting
// list, the new place shown at the next check-in, and the smiley question.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, scanCard, msg, smallTargets, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function kioskPage(name) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  // Pictures to look at, not checks: a failed capture fails nothing.
  page.shot = (n) => page.screenshot({ path: join(SHOTS, `${name}-${n}.png`) }).catch(() => {});
  return page;
}

test('last seat from two kiosks, waiting list, new place at the next check-in', async () => {
  const jan = await kioskPage('jan'); // prefers Dutch
  const amina = await kioskPage('amina'); // prefers Arabic
  const course = msg('nl', 'kiosk.home.courses');
  try {
    await jan.goto(srv.base + '/kiosk');
    await scanCard(jan, srv.dutchCard);
    await amina.goto(srv.base + '/kiosk');
    await scanCard(amina, srv.sampleCard);
    // Both open the driving-theory session, which has one seat left.
    await jan.getByRole('link', { name: course }).tap();
    await jan.getByRole('link', { name: /Theorie rijbewijs/ }).tap();
    await amina.getByRole('link', { name: msg('ar', 'kiosk.home.courses') }).tap();
    await amina.getByRole('link', { name: /رخصة القيادة/ }).tap();
    await amina.shot('course');
    assert.deepEqual(await smallTargets(amina), []);
    // Jan presses first and gets the seat; Amina is offered the waiting list.
    await jan.getByRole('button', { name: msg('nl', 'kiosk.courses.enrol') }).tap();
    await jan.getByRole('heading', { name: msg('nl', 'kiosk.courses.enrolled') }).waitFor();
    await amina.getByRole('button', { name: msg('ar', 'kiosk.courses.enrol') }).tap();
    await amina.getByRole('alert').filter({ hasText: msg('ar', 'kiosk.courses.just_full') }).waitFor();
    await amina.getByRole('button', { name: msg('ar', 'kiosk.courses.join_waiting') }).tap();
    await amina.getByRole('heading', { name: msg('ar', 'kiosk.courses.on_waiting') }).waitFor();
    // Jan cancels from "My bookings".
    await jan.getByRole('link', { name: msg('nl', 'kiosk.home.bookings') }).tap();
    await jan.getByRole('listitem').filter({ hasText: 'Theorie rijbewijs' }).getByRole('link', { name: msg('nl', 'kiosk.bookings.cancel') }).tap();
    await jan.getByRole('button', { name: msg('nl', 'kiosk.bookings.yes_cancel') }).tap();
    await jan.getByRole('heading', { name: msg('nl', 'kiosk.bookings.cancelled') }).waitFor();
    // Amina's next check-in: she has the seat, and is told.
    await amina.getByRole('link', { name: msg('ar', 'kiosk.start_over') }).tap();
    await amina.waitForURL(srv.base + '/kiosk');
    await scanCard(amina, srv.sampleCard);
    await amina.getByRole('status').filter({ hasText: msg('ar', 'kiosk.home.new_place') }).waitFor();
    await amina.shot('new-place');
  } catch (e) {
    await jan.shot('failure');
    await amina.shot('failure');
    throw e;
  }
});

test('the smiley question after a course, once', async () => {
  const k = await kioskPage('rater');
  try {
    await k.goto(srv.base + '/kiosk');
    await scanCard(k, srv.raterCard);
    await k.getByRole('heading', { name: msg('ar', 'kiosk.rate.question') }).waitFor();
    await k.shot('question');
    for (const n of [1, 2, 3, 4]) {
      await k.getByRole('button', { name: msg('ar', `kiosk.rate.${n}`), exact: true }).waitFor();
    }
    assert.deepEqual(await smallTargets(k), []);
    await k.getByRole('button', { name: msg('ar', 'kiosk.rate.4'), exact: true }).tap();
    await k.getByRole('heading', { name: msg('ar', 'kiosk.rate.thanks') }).waitFor();
    await k.getByRole('link', { name: msg('ar', 'kiosk.start_over') }).tap();
    await k.waitForURL(srv.base + '/kiosk');
    await scanCard(k, srv.raterCard);
    await k.getByRole('link', { name: msg('ar', 'kiosk.home.courses') }).waitFor();
    assert.equal(await k.getByRole('heading', { name: msg('ar', 'kiosk.rate.question') }).count(), 0, 'asked once only');
  } catch (e) {
    await k.shot('failure');
    throw e;
  }
});
