// The foundation journey, as people do it: staff register a member and
// print the card; the visitor scans it at the kiosk and is greeted; a
// second scan counts no second visit; a reissued card refuses the old QR;
// the kiosk resets itself after idle time; Arabic is right-to-left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, offlineGuard, scanCard, decodeCardPDF, pressForPDF, signIn, smallTargets, msg, SHOTS } from './harness.js';

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Screenshot on failure, so a red run shows what the person would have seen.
async function step(page, name, fn) {
  try { await fn(); } catch (e) {
    await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true }).catch(() => {});
    throw e;
  }
}

async function cardToken(staff, buttonName, tag) {
  const res = await pressForPDF(staff, staff.getByRole('button', { name: buttonName, exact: true }));
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  return decodeCardPDF(await res.body(), tag);
}

async function todayCount(staff) {
  await staff.goto(srv.base + '/admin');
  return Number(await staff.locator('#checkins-today').innerText());
}

test('register, print, scan, greet, rescan, reissue', async () => {
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-BE' });
  const staff = await staffCtx.newPage();
  const kioskCtx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const kiosk = await kioskCtx.newPage();
  const outside = offlineGuard(kiosk, srv.base);
  const outsideAdmin = offlineGuard(staff, srv.base);
  const nickname = 'Zoë <b>B</b>';

  await step(staff, 'register', async () => {
    await signIn(staff, srv.base, srv.logins.staff);
    await staff.getByRole('link', { name: msg('nl', 'admin.nav.members') }).click();
    await staff.getByRole('link', { name: msg('nl', 'admin.members.new') }).click();
    await staff.getByLabel(msg('nl', 'field.nickname')).fill(nickname);
    await staff.getByLabel(msg('nl', 'field.lang')).selectOption({ label: 'Nederlands' });
    await staff.getByRole('button', { name: msg('nl', 'admin.members.register') }).click();
    await staff.getByRole('status').filter({ hasText: msg('nl', 'admin.members.created').split(/[.:]/)[0] }).waitFor();
    // HTML in a name is shown as the text that was typed.
    assert.equal(await staff.getByRole('heading', { level: 1 }).innerText(), nickname);
  });
  const memberURL = staff.url();
  const before = await todayCount(staff);
  await staff.goto(memberURL);

  const card = await cardToken(staff, msg('nl', 'admin.card.print'), 'first');
  assert.match(card.token ?? '', /^[0-9A-Z]{26}$/, 'the QR on the printed card decodes to a card token');
  assert.ok(card.text.includes(nickname), 'the nickname is printed as typed: ' + card.text);

  await step(kiosk, 'scan', async () => {
    await kiosk.goto(srv.base + '/kiosk');
    assert.equal(await kiosk.locator('input:not([type=hidden])').count(), 0, 'no text field to tap');
    await scanCard(kiosk, card.token);
    const h1 = kiosk.getByRole('heading', { level: 1 });
    assert.equal((await h1.innerText()).trim(), msg('nl', 'kiosk.home.greeting').replace('{{.Name}}', `\u2068${nickname}\u2069`));
    await kiosk.getByText(msg('nl', 'kiosk.home.checked_in')).waitFor();
    assert.deepEqual(await smallTargets(kiosk), [], 'every target is at least 48 px');
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-greeting.png') }).catch(() => {}); // a picture to look at, not a check
  });
  assert.equal(await todayCount(staff), before + 1, 'one visit counted');

  await step(kiosk, 'rescan', async () => {
    await kiosk.getByRole('link', { name: msg('nl', 'kiosk.start_over') }).click();
    await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.idle.title') }).waitFor();
    await scanCard(kiosk, card.token.toLowerCase());
    await kiosk.getByText(msg('nl', 'kiosk.home.already')).waitFor();
  });
  assert.equal(await todayCount(staff), before + 1, 'a second scan the same day adds no visit');
  await staff.goto(memberURL);
  assert.equal(await staff.getByRole('table').locator('tbody tr').count(), 1, 'one visit in the history');

  await step(staff, 'reissue', async () => {
    await staff.getByRole('checkbox', { name: msg('nl', 'admin.card.reissue_check') }).check();
    await staff.getByRole('button', { name: msg('nl', 'admin.card.reissue') }).click();
    await staff.getByRole('status').filter({ hasText: msg('nl', 'admin.card.reissued').split(/[.:]/)[0] }).waitFor();
  });
  const card2 = await cardToken(staff, msg('nl', 'admin.card.print'), 'second');
  assert.notEqual(card2.token, card.token);

  await step(kiosk, 'refused', async () => {
    await kiosk.goto(srv.base + '/kiosk');
    await scanCard(kiosk, card.token);
    await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.refused.title') }).waitFor();
    assert.equal(await kiosk.getByText(nickname).count(), 0, 'a refused card shows no name');
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-refused.png') }).catch(() => {}); // a picture to look at, not a check
    // The refusal returns to the start by itself; go there now.
    await kiosk.goto(srv.base + '/kiosk');
    await scanCard(kiosk, card2.token);
    await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.home.greeting').replace('{{.Name}}', `\u2068${nickname}\u2069`) }).waitFor();
  });

  await step(kiosk, 'garbage', async () => {
    await kiosk.goto(srv.base + '/kiosk');
    await scanCard(kiosk, 'HELLO<script>');
    await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.refused.title') }).waitFor();
  });
  assert.deepEqual(outside, [], 'the kiosk loads nothing from outside');
  assert.deepEqual(outsideAdmin, [], 'the admin panel loads nothing from outside');
  await staffCtx.close();
  await kioskCtx.close();
});

test('Arabic kiosk is right-to-left and greets in the member\'s language', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const kiosk = await ctx.newPage();
  await step(kiosk, 'arabic', async () => {
    await kiosk.goto(srv.base + '/kiosk');
    await Promise.all([kiosk.waitForNavigation(), kiosk.getByRole('button', { name: 'العربية' }).click()]);
    assert.equal(await kiosk.locator('html').getAttribute('dir'), 'rtl');
    assert.equal(await kiosk.locator('html').getAttribute('lang'), 'ar');
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-idle-ar.png') }).catch(() => {}); // a picture to look at, not a check
    // The demo's sample card belongs to Amina, who prefers Arabic.
    await scanCard(kiosk, srv.sampleCard);
    assert.equal(await kiosk.locator('html').getAttribute('dir'), 'rtl');
    const h1 = (await kiosk.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.equal(h1, msg('ar', 'kiosk.home.greeting').replace('{{.Name}}', '\u2068Amina\u2069'), 'greeted in Arabic');
    await kiosk.screenshot({ path: join(SHOTS, 'kiosk-greeting-ar.png') }).catch(() => {}); // a picture to look at, not a check
  });
  await ctx.close();
});

test('after idle time the kiosk counts down and forgets the visitor', async () => {
  const idle = await startServer(['--kiosk-idle', '6s']);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const kiosk = await ctx.newPage();
  try {
    await step(kiosk, 'idle', async () => {
      await kiosk.goto(idle.base + '/kiosk');
      await Promise.all([kiosk.waitForNavigation(), kiosk.getByRole('button', { name: 'English' }).click()]);
      await scanCard(kiosk, idle.sampleCard);
      await kiosk.getByRole('heading', { name: /Amina/ }).waitFor();
      await kiosk.evaluate(() => { localStorage.setItem('x', '1'); sessionStorage.setItem('y', '2'); });
      const dialog = kiosk.getByRole('alertdialog');
      await dialog.waitFor({ state: 'visible', timeout: 10000 });
      // WCAG 2.2.1: at least 20 seconds to say "I'm still here", with the
      // focus already on that button.
      const n = Number(await kiosk.locator('#idle-seconds').innerText());
      assert.ok(n > 15 && n <= 20, 'a visible countdown from 20: ' + n);
      assert.equal(await kiosk.evaluate(() => document.activeElement && document.activeElement.id), 'idle-stay', 'focus on "I am still here"');
      await kiosk.waitForURL(idle.base + '/kiosk', { timeout: 30000 });
      await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.idle.title') }).waitFor();
      assert.equal(await kiosk.getByText('Amina').count(), 0, 'no trace of the visitor on screen');
      assert.equal(await kiosk.locator('html').getAttribute('lang'), 'nl', 'back to the default language');
      assert.deepEqual(await kiosk.evaluate(() => [localStorage.length, sessionStorage.length]), [0, 0]);
      const cookies = (await ctx.cookies()).map((c) => c.name);
      assert.ok(!cookies.includes('drempel_kiosk'), 'the visitor session is gone: ' + cookies);
      // Going to the greeting by hand shows nothing of the visitor either.
      await kiosk.goto(idle.base + '/kiosk/home');
      await kiosk.getByRole('heading', { name: msg('nl', 'kiosk.idle.title') }).waitFor();
    });
  } finally {
    await ctx.close();
    await idle.stop();
  }
});
