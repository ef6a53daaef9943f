// Camera fallback on Linux Chromium, which has no BarcodeDetector: the
// fake camera films the printed card, the page sends frames to the server,
// the server decodes the QR, and the visitor is greeted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, signIn, msg, pressForPDF, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('scan a card with the camera', async () => {
  // Print Amina's card as staff would, and turn it into a camera feed.
  const staffBrowser = await launchBrowser();
  const ctx = await staffBrowser.newContext({ locale: 'nl-BE' });
  const staff = await ctx.newPage();
  await signIn(staff, srv.base, srv.logins.staff);
  await staff.goto(srv.base + '/admin/members?q=Amina');
  await staff.getByRole('link', { name: 'Amina' }).first().click();
  const pdf = await (await pressForPDF(staff, staff.getByRole('button', { name: msg('nl', 'admin.card.print'), exact: true }))).body();
  await staffBrowser.close();
  const dir = mkdtempSync(join(tmpdir(), 'drempel-cam-'));
  writeFileSync(join(dir, 'card.pdf'), pdf);
  // Even dimensions: the fake camera decodes frames as 4:2:0 video.
  execFileSync('pdftoppm', ['-jpeg', '-scale-to-x', '640', '-scale-to-y', '404', '-singlefile', join(dir, 'card.pdf'), join(dir, 'card')]);
  // A file of concatenated JPEG frames is an MJPEG stream; one frame is enough.
  renameSync(join(dir, 'card.jpg'), join(dir, 'card.mjpeg'));

  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--use-file-for-fake-video-capture=' + join(dir, 'card.mjpeg')]);
  const kctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const kiosk = await kctx.newPage();
  try {
    await kiosk.goto(srv.base + '/kiosk');
    assert.equal(await kiosk.evaluate(() => 'BarcodeDetector' in window), false, 'this Chromium has no BarcodeDetector');
    await kiosk.getByRole('link', { name: msg('nl', 'kiosk.camera.button') }).click();
    await kiosk.getByRole('heading', { name: /Amina/ }).waitFor({ timeout: 20000 });
  } catch (e) {
    await kiosk.screenshot({ path: join(SHOTS, 'camera.png') }).catch(() => {}); // a picture to look at, not a check
    throw e;
  }
});
