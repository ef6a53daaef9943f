// Digital thresholds: visitors report by tapping pictograms (anonymous
// from the idle screen, or with "help me" after check-in); facilitators
// see them in their inbox and triage them into a theme.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, scanCard, msg, smallTargets, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function kiosk() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  return ctx.newPage();
}

// bank → login/itsme → (no organisations) → no words.
async function reportBankLogin(k, lang) {
  await k.getByRole('link', { name: msg(lang, 'kiosk.report.domain.bank') }).tap();
  await k.getByRole('link', { name: msg(lang, 'kiosk.report.problem.login') }).tap();
  await k.getByRole('button', { name: msg(lang, 'kiosk.report.skip') }).tap();
}

test('report a threshold by pictograms, in Arabic and in Dutch, anonymously', async () => {
  for (const lang of ['ar', 'nl']) {
    const k = await kiosk();
    await k.goto(srv.base + '/kiosk');
    if (lang === 'ar') await Promise.all([k.waitForNavigation(), k.getByRole('button', { name: 'العربية' }).tap()]);
    await k.getByRole('link', { name: msg(lang, 'kiosk.report.tile') }).tap();
    await k.getByRole('link', { name: msg(lang, 'kiosk.report.domain.bank') }).waitFor();
    assert.deepEqual(await smallTargets(k), [], 'big targets');
    await k.screenshot({ path: join(SHOTS, `report-domains-${lang}.png`) }).catch(() => {}); // a picture to look at, not a check
    await reportBankLogin(k, lang);
    await k.getByRole('heading', { name: msg(lang, 'kiosk.report.thanks') }).waitFor();
    await k.context().close();
  }
  const f = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  await signIn(f, srv.base, srv.logins.facilitator);
  await f.getByRole('link', { name: msg('nl', 'admin.nav.thresholds') }).click();
  const rows = f.getByRole('row').filter({ hasText: msg('nl', 'kiosk.report.domain.bank') });
  assert.equal(await rows.count(), 2, 'both reports in the inbox');
  for (const row of await rows.all()) {
    assert.equal((await row.locator('td').nth(4).innerText()).trim(), '', 'no member attached');
  }
});

test('"yes, help me" after check-in, with words and a voice note, reaches the follow-up list', async () => {
  // Chromium's fake microphone plays a beep: a real recording, headless.
  const micBrowser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  const k = await (await micBrowser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true })).newPage();
  await k.goto(srv.base + '/kiosk');
  await scanCard(k, srv.dutchCard);
  await k.getByRole('link', { name: msg('nl', 'kiosk.report.tile') }).tap();
  await k.getByRole('link', { name: msg('nl', 'kiosk.report.domain.government') }).tap();
  await k.getByRole('link', { name: msg('nl', 'kiosk.report.problem.online_only') }).tap();
  await k.getByRole('textbox').fill('<script>alert(1)</script>=HYPERLINK("http://x")');
  await k.getByRole('button', { name: msg('nl', 'kiosk.report.record') }).tap();
  await k.waitForTimeout(1500);
  await k.getByRole('button', { name: msg('nl', 'kiosk.report.stop') }).tap();
  await k.locator('[data-voice] audio').waitFor({ state: 'visible' });
  await k.getByRole('button', { name: msg('nl', 'kiosk.report.next') }).tap();
  await k.getByRole('button', { name: msg('nl', 'kiosk.report.help_yes') }).tap();
  await k.getByText(msg('nl', 'kiosk.report.thanks_help')).waitFor();
  await micBrowser.close();

  const desk = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  await signIn(desk, srv.base, srv.logins.staff);
  const help = desk.locator('#help-list');
  await help.getByText(msg('nl', 'kiosk.report.domain.government')).waitFor();
  assert.ok(!(await help.innerText()).includes('HYPERLINK'), 'staff do not see the words');

  const f = await (await browser.newContext({ locale: 'nl-BE' })).newPage();
  await signIn(f, srv.base, srv.logins.facilitator);
  await f.goto(srv.base + '/admin/thresholds?help=1');
  const cell = f.getByRole('row').filter({ hasText: 'HYPERLINK' });
  assert.equal((await cell.locator('td').nth(3).innerText()).trim(), '<script>alert(1)</script>=HYPERLINK("http://x")', 'shown as text');
  await f.screenshot({ path: join(SHOTS, 'threshold-inbox.png'), fullPage: true }).catch(() => {}); // a picture to look at, not a check
  // The voice note plays for the facilitator.
  await f.getByRole('row').filter({ hasText: 'HYPERLINK' }).getByRole('link').first().click();
  const src = await f.locator('audio').getAttribute('src');
  const audio = await f.request.get(srv.base + src);
  assert.equal(audio.status(), 200);
  assert.match(audio.headers()['content-type'], /^audio\//);
  assert.ok((await audio.body()).length > 1000, 'a real recording');
  await f.goto(srv.base + '/admin/thresholds?help=1');
  // Triage it into a new theme at meso level.
  await f.goto(srv.base + '/admin/themes');
  await f.getByLabel(msg('nl', 'admin.thresholds.title')).fill('Afspraak bij het OCMW kan alleen online');
  await f.getByRole('button', { name: msg('nl', 'admin.thresholds.check_similar') }).click();
  await f.getByRole('button', { name: msg('nl', 'admin.thresholds.create_theme') }).click();
  await f.goto(srv.base + '/admin/thresholds?help=1');
  await f.getByRole('row').filter({ hasText: 'HYPERLINK' }).getByRole('link').first().click();
  await f.getByLabel(msg('nl', 'admin.thresholds.level')).selectOption('meso');
  await f.getByLabel(msg('nl', 'admin.thresholds.theme'), { exact: true }).selectOption({ label: 'Afspraak bij het OCMW kan alleen online (0)' });
  await f.getByRole('button', { name: msg('nl', 'admin.save') }).click();
  await f.goto(srv.base + '/admin/themes');
  await f.getByRole('row').filter({ hasText: 'Afspraak bij het OCMW' }).getByRole('cell', { name: '1', exact: true }).waitFor();
});
