// Book a computer at the kiosk by tapping tiles, see it under "My
// bookings", cancel it — in Dutch and in Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, scanCard, smallTargets, msg, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

// The words on the tiles, from the app's own catalogs.
const keys = { book: 'kiosk.home.book_lab', tomorrow: 'kiosk.lab.tomorrow', yes: 'kiosk.yes_book', booked: 'kiosk.lab.booked',
  mine: 'kiosk.home.bookings', cancel: 'kiosk.bookings.cancel', yesCancel: 'kiosk.bookings.yes_cancel', cancelled: 'kiosk.bookings.cancelled',
  none: 'kiosk.bookings.none' };
const wordsIn = (lang) => Object.fromEntries(Object.entries(keys).map(([k, id]) => [k, msg(lang, id)]));

for (const lang of ['nl', 'ar']) {
  test(`book and cancel a computer by tapping tiles (${lang})`, async () => {
    const w = wordsIn(lang);
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
    const kiosk = await ctx.newPage();
    try {
      await kiosk.goto(srv.base + '/kiosk');
      if (lang === 'ar') {
        await Promise.all([kiosk.waitForNavigation(), kiosk.getByRole('button', { name: 'العربية', exact: true }).tap()]);
      }
      // Amina prefers Arabic; in the Dutch run a Dutch-speaking demo member scans.
      const token = lang === 'ar' ? srv.sampleCard : srv.dutchCard;
      await scanCard(kiosk, token);
      assert.equal(await kiosk.locator('html').getAttribute('lang'), lang);
      await kiosk.getByRole('link', { name: w.book }).tap();
      await kiosk.getByRole('link', { name: w.tomorrow }).tap();
      const slots = kiosk.locator('a.tile.slot');
      await slots.first().waitFor();
      assert.ok(await slots.count() > 0, 'free slots tomorrow');
      assert.deepEqual(await smallTargets(kiosk), [], 'every target is at least 48 px');
      await kiosk.screenshot({ path: join(SHOTS, `lab-slots-${lang}.png`) }).catch(() => {}); // a picture to look at, not a check
      const time = (await slots.nth(1).locator('.time').innerText()).trim();
      await slots.nth(1).tap();
      await kiosk.getByRole('button', { name: w.yes }).tap();
      await kiosk.getByRole('heading', { name: w.booked }).waitFor();
      assert.ok((await kiosk.locator('main').innerText()).includes(time), 'the confirmation shows the time');
      await kiosk.screenshot({ path: join(SHOTS, `lab-booked-${lang}.png`) }).catch(() => {}); // a picture to look at, not a check
      await kiosk.getByRole('link', { name: w.mine }).tap();
      const row = kiosk.getByRole('listitem').filter({ hasText: time });
      await row.waitFor();
      await row.getByRole('link', { name: w.cancel }).tap();
      await kiosk.getByRole('button', { name: w.yesCancel }).tap();
      await kiosk.getByRole('heading', { name: w.cancelled }).waitFor();
      await kiosk.getByRole('link').filter({ has: kiosk.locator('.picto-back') }).tap();
      await kiosk.getByText(w.none).waitFor();
    } catch (e) {
      await kiosk.screenshot({ path: join(SHOTS, `booking-${lang}.png`) }).catch(() => {}); // a picture to look at, not a check
      throw e;
    } finally {
      await ctx.close();
    }
  });
}
