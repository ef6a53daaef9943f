// A Tigrinya member at a kiosk PC with no voices of its own: the greeting
// is in Tigrinya with their name in Ge'ez, drawn with the font Drempel
// ships; the screen's question plays from a studio recording; and booking
// a computer works by ear alone — every choice on the way has a speaker
// that plays a Tigrinya recording.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, scanCard, signIn, msg, SHOTS } from './harness.js';

let srv, browser;
before(async () => {
  srv = await startServer();
  // As the README tells kiosk PCs: let the kiosk speak by itself.
  browser = await launchBrowser(['--autoplay-policy=no-user-gesture-required']);
});
after(async () => { await browser?.close(); await srv?.stop(); });

// A short, distinct tone per prompt, as a WAV file: what a volunteer's
// recording is to the server.
function wav(freq) {
  const rate = 8000, n = rate / 5, data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * freq * i / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

// What a person who cannot read needs on a screen: every choice has a
// speaker that is shown and plays Tigrinya recordings, nothing else.
async function byEar(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('main a, main button, header a, header button')) {
      if (el.classList.contains('speak') || el.offsetParent === null) continue;
      const wrap = el.closest('.say-wrap, .tile-wrap');
      const sp = wrap && wrap.querySelector('button.speak');
      const name = (el.innerText || el.getAttribute('aria-label') || '').trim();
      if (!sp) { out.push(`${name}: no speaker`); continue; }
      if (sp.hidden) { out.push(`${name}: speaker hidden`); continue; }
      const urls = (sp.getAttribute('data-audio') || '').split(' ').filter(Boolean);
      if (urls.length === 0 || urls.some((u) => !u.startsWith('/kiosk/audio/rec/ti/'))) out.push(`${name}: not a Tigrinya recording: ${urls}`);
    }
    const q = document.querySelector('main .say-row button.speak');
    if (!q || q.hidden || !(q.getAttribute('data-audio') || '').startsWith('/kiosk/audio/rec/ti/')) out.push('the question has no recording');
    return out;
  });
}

// Tap a choice's speaker and check that its recording is fetched and is
// sound.
async function listen(page, choice) {
  const speaker = choice.locator('xpath=ancestor::*[contains(@class,"tile-wrap") or contains(@class,"say-wrap")][1]').locator('button.speak');
  const first = (await speaker.getAttribute('data-audio')).split(' ')[0];
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(first)),
    speaker.tap(),
  ]);
  assert.equal(res.status(), 200, 'the recording plays: ' + first);
  assert.match(res.headers()['content-type'], /^audio\//);
}

test('a Tigrinya member books a computer by ear alone', async () => {
  const ti = srv.byLang.ti;
  assert.ok(ti && /[\u1200-\u137F]/.test(ti.nickname), 'the demo has a Tigrinya member with a Ge\'ez name');

  // A volunteer records every Tigrinya prompt in the voice studio.
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'nl-BE' });
  const staff = await staffCtx.newPage();
  await signIn(staff, srv.base, srv.logins.admin);
  await staff.goto(srv.base + '/admin/voice?lang=ti');
  const csrf = await staff.locator('input[name=_csrf]').first().inputValue();
  const keys = await staff.locator('tbody tr[id^="p-"]').evaluateAll((rows) => rows.map((r) => r.id.slice(2)));
  assert.ok(keys.length > 150, 'every kiosk prompt is in the studio: ' + keys.length);
  for (const [i, key] of keys.entries()) {
    const res = await staff.request.post(srv.base + '/admin/voice', {
      multipart: { _csrf: csrf, lang: 'ti', key, audio: { name: 'prompt.wav', mimeType: 'audio/wav', buffer: wav(220 + i) } },
      maxRedirects: 0,
    });
    assert.equal(res.status(), 303, `recording ${key} saved`);
  }
  await staffCtx.close();

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const kiosk = await ctx.newPage();
  const fetched = [];
  kiosk.on('request', (r) => { if (r.url().includes('/kiosk/audio/')) fetched.push(new URL(r.url()).pathname); });
  try {
    await kiosk.goto(srv.base + '/kiosk');
    assert.equal(await kiosk.evaluate(() => speechSynthesis.getVoices().filter((v) => v.lang.startsWith('ti')).length), 0,
      'this browser has no Tigrinya voice of its own');
    // The idle screen speaks the default language, perhaps still while the
    // card is read.
    const idleAudio = (await kiosk.locator('main .say-row button.speak').getAttribute('data-audio')) || '';
    const idleSound = idleAudio && new URL(srv.base + idleAudio.split(' ')[0]).pathname;
    await scanCard(kiosk, ti.token);
    assert.equal(await kiosk.locator('html').getAttribute('lang'), 'ti');
    const h1 = (await kiosk.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.equal(h1, msg('ti', 'kiosk.home.greeting').replace('{{.Name}}', `\u2068${ti.nickname}\u2069`));
    // Ge'ez drawn with the font Drempel serves, whatever the PC has.
    await kiosk.waitForFunction(() => [...document.fonts].some((f) => f.family.includes('Drempel Sans') && /1200/i.test(f.unicodeRange) && f.status === 'loaded'));
    // The greeting's question played by itself, from the recording.
    const question = (await kiosk.locator('main .say-row button.speak').getAttribute('data-audio')).split(' ')[0];
    await kiosk.waitForFunction((q) => performance.getEntriesByType('resource').some((e) => e.name.endsWith(q)), question);
    await kiosk.screenshot({ path: join(SHOTS, 'byear-greeting-ti.png') }).catch(() => {}); // a picture to look at, not a check

    const screens = [];
    const check = async (name) => { const p = await byEar(kiosk); if (p.length) screens.push(`${name}: ${p.join('; ')}`); };
    await check('greeting');
    const book = kiosk.getByRole('link', { name: msg('ti', 'kiosk.home.book_lab') });
    await listen(kiosk, book);
    await book.tap();
    await kiosk.waitForURL(/\/kiosk\/lab$/);
    await check('which day');
    const tomorrow = kiosk.getByRole('link', { name: msg('ti', 'kiosk.lab.tomorrow') });
    await listen(kiosk, tomorrow);
    await tomorrow.tap();
    await kiosk.locator('a.tile.slot').first().waitFor();
    await check('which time');
    const slot = kiosk.locator('a.tile.slot').first();
    await listen(kiosk, slot);
    await slot.tap();
    const yes = kiosk.getByRole('button', { name: msg('ti', 'kiosk.yes_book') });
    await yes.waitFor();
    await check('confirm');
    await listen(kiosk, yes);
    await yes.tap();
    await kiosk.getByRole('heading', { name: msg('ti', 'kiosk.lab.booked') }).waitFor();
    await check('booked');
    await kiosk.screenshot({ path: join(SHOTS, 'byear-booked-ti.png') }).catch(() => {}); // a picture to look at, not a check
    assert.deepEqual(screens, [], 'every choice on the way can be heard in Tigrinya');
    assert.deepEqual(fetched.filter((u) => u !== idleSound && !u.startsWith('/kiosk/audio/rec/ti/')), [], 'only Tigrinya recordings were played');
  } catch (e) {
    await kiosk.screenshot({ path: join(SHOTS, 'byear-failed.png') }).catch(() => {});
    throw e;
  } finally {
    await ctx.close();
  }
});
