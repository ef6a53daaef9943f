// The voice studio: a volunteer records the kiosk's first question in
// Tigrinya with the microphone, plays it back and exports a voice pack; a
// second, fresh server imports the pack, and its kiosk plays that
// recording when a visitor taps the question's speaker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser, signIn, msg, SHOTS } from './harness.js';

// Tigrinya's own name, as the language choice shows it (web/i18n.go).
const TI = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'i18n.go'), 'utf8')
  .match(/\{Code: "ti", Endonym: "([^"]+)"/)[1];

let one, two, browser;
before(async () => {
  [one, two] = await Promise.all([startServer(), startServer()]);
  // Chromium's fake microphone plays a beep: a real recording, headless.
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required']);
});
after(async () => { await browser?.close(); await one?.stop(); await two?.stop(); });

async function studio(srv) {
  const page = await (await browser.newContext({ locale: 'nl-BE', acceptDownloads: true })).newPage();
  await signIn(page, srv.base, srv.logins.admin);
  await page.getByRole('link', { name: msg('nl', 'admin.words.nav') }).click();
  await page.getByRole('link', { name: msg('nl', 'admin.voice.title') }).click();
  await page.getByRole('link', { name: new RegExp('^' + TI + ':') }).click();
  await page.getByRole('heading', { name: new RegExp('^' + TI + ':') }).waitFor();
  return page;
}

test('record the idle question in Tigrinya, carry it in a voice pack, hear it at another kiosk', async () => {
  const s = await studio(one);
  const row = s.locator('tr[id="p-kiosk.idle.title"]');
  await row.getByText(msg('ti', 'kiosk.idle.title'), { exact: true }).waitFor();

  // Record: the button starts the microphone, the same button stops it
  // and the recording is sent.
  await row.getByRole('button', { name: msg('nl', 'admin.voice.record'), exact: true }).click();
  await s.waitForTimeout(1500);
  await Promise.all([s.waitForNavigation(), row.getByRole('button', { name: msg('nl', 'admin.voice.stop') }).click()]);
  await s.getByText(msg('nl', 'admin.voice.saved')).waitFor();
  await row.getByRole('button', { name: msg('nl', 'admin.voice.rerecord') }).waitFor();
  await s.screenshot({ path: join(SHOTS, 'voice-studio-ti.png') }).catch(() => {}); // a picture to look at, not a check

  // Play it back.
  const player = row.locator('audio');
  const played = await player.evaluate((a) => new Promise((resolve, reject) => {
    a.addEventListener('playing', () => resolve(true), { once: true });
    a.addEventListener('error', () => reject(new Error('media error ' + (a.error && a.error.code))), { once: true });
    setTimeout(() => reject(new Error('did not play within 10 s')), 10000);
    a.play().catch(reject);
  }));
  assert.equal(played, true);
  const recorded = await s.request.get(new URL(await player.getAttribute('src'), one.base).href);
  assert.equal(recorded.status(), 200);
  assert.match(recorded.headers()['content-type'], /^audio\//);
  const bytes = await recorded.body();
  assert.ok(bytes.length > 1000, 'a real recording, not an empty file');

  // Export the Tigrinya voice pack.
  const [download] = await Promise.all([s.waitForEvent('download'),
    s.getByRole('link', { name: msg('nl', 'admin.voice.export_lang').replace('{{.Lang}}', TI) }).click()]);
  const pack = join(mkdtempSync(join(tmpdir(), 'drempel-pack-')), 'voice-ti.zip');
  await download.saveAs(pack);

  // A second server, fresh: import the pack.
  const s2 = await studio(two);
  await s2.locator('tr[id="p-kiosk.idle.title"]').getByRole('button', { name: msg('nl', 'admin.voice.record'), exact: true }).waitFor();
  await s2.getByLabel(msg('nl', 'admin.voice.pack_file')).setInputFiles(pack);
  await Promise.all([s2.waitForNavigation(), s2.getByRole('button', { name: msg('nl', 'admin.voice.import') }).click()]);
  await s2.getByText(msg('nl', 'admin.voice.imported')).waitFor();
  await s2.locator('tr[id="p-kiosk.idle.title"]').getByRole('button', { name: msg('nl', 'admin.voice.rerecord') }).waitFor();

  // Its kiosk, in Tigrinya: the question's speaker plays the recording.
  const k = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true })).newPage();
  await k.goto(two.base + '/kiosk');
  await Promise.all([k.waitForNavigation(), k.getByRole('button', { name: TI }).tap()]);
  const question = k.locator('.say-row', { has: k.getByRole('heading', { name: msg('ti', 'kiosk.idle.title') }) });
  const speaker = question.locator('button.speak');
  const src = await speaker.getAttribute('data-audio');
  assert.match(src || '', /^\/kiosk\/audio\/rec\/ti\/kiosk\.idle\.title\?v=\d+$/, 'the speaker plays the recording');
  assert.ok(await speaker.isVisible(), 'the speaker is shown');
  const [heard] = await Promise.all([
    k.waitForResponse((r) => r.url() === two.base + src, { timeout: 10000 }),
    speaker.tap(),
  ]);
  assert.equal(heard.status(), 200);
  assert.match(heard.headers()['content-type'], /^audio\//);
  const there = await k.request.get(two.base + src);
  assert.deepEqual(Buffer.compare(await there.body(), bytes), 0, 'the same recording, byte for byte');
});
