// The next person at the kiosk: after a visitor reports a threshold and
// the kiosk resets, Back sends nothing again and shows nothing of theirs,
// and their session no longer answers; the server forgets them by itself
// after the idle time and the countdown. During a flood of noise frames
// from other senders, the camera still reads a card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, scanCard, signIn, msg, pressForPDF, SHOTS } from './harness.js';

let srv, browser;
before(async () => { srv = await startServer(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await srv?.stop(); });

async function step(page, name, fn) {
  try { await fn(); } catch (e) {
    await page.screenshot({ path: join(SHOTS, 'nextperson-' + name + '.png'), fullPage: true }).catch(() => {});
    throw e;
  }
}

// The visitor's name, read from the greeting the way it is built.
async function greetedName(page) {
  const [pre, post] = msg('nl', 'kiosk.home.greeting').split('{{.Name}}');
  const h1 = (await page.getByRole('heading', { level: 1 }).first().innerText()).trim();
  assert.ok(h1.startsWith(pre) && h1.endsWith(post), 'greeting: ' + h1);
  return h1.slice(pre.length, h1.length - post.length).replace(/[\u2068\u2069]/g, '').trim();
}

// The facilitators' inbox: how many reports, and how many hold the words.
async function inbox(base, words) {
  const ctx = await browser.newContext({ locale: 'nl-BE' });
  try {
    const f = await ctx.newPage();
    await signIn(f, base, srv.logins.facilitator);
    await f.goto(base + '/admin/thresholds');
    const rows = f.locator('table tbody tr');
    return { all: await rows.count(), words: await rows.filter({ hasText: words }).count() };
  } finally {
    await ctx.close();
  }
}

// fetchNoCookieJar asks the server with the given cookies only, and does
// not follow redirects: what a stolen or kept cookie opens.
async function fetchWith(url, cookies) {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
  return { status: res.status, location: res.headers.get('location'), body: await res.text() };
}

test('after a reset, Back sends nothing and shows nothing of the previous visitor', async () => {
  const words = 'Mijn pincode werkt niet ' + Math.random().toString(36).slice(2, 8);
  const before = await inbox(srv.base, words);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  const k = await ctx.newPage();
  const posts = [], visited = [];
  k.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });
  k.on('framenavigated', (f) => { if (f === k.mainFrame()) visited.push(f.url()); });
  let name, kept;
  await step(k, 'report', async () => {
    await k.goto(srv.base + '/kiosk');
    await scanCard(k, srv.dutchCard);
    name = await greetedName(k);
    assert.ok(name.length > 0);
    await k.getByRole('link', { name: msg('nl', 'kiosk.report.tile'), exact: true }).tap();
    await k.getByRole('link', { name: msg('nl', 'kiosk.report.domain.bank'), exact: true }).tap();
    await k.getByRole('link', { name: msg('nl', 'kiosk.report.problem.login'), exact: true }).tap();
    await k.getByRole('textbox').fill(words);
    await k.getByRole('button', { name: msg('nl', 'kiosk.report.next'), exact: true }).tap();
    await k.getByRole('button', { name: msg('nl', 'kiosk.report.help_yes'), exact: true }).tap();
    await k.getByText(msg('nl', 'kiosk.report.thanks_help')).waitFor();
    kept = (await ctx.cookies()).filter((c) => c.name.startsWith('drempel_'));
    assert.ok(kept.some((c) => c.name === 'drempel_kiosk'), 'the visitor has a session');
  });
  assert.deepEqual(posts, ['/kiosk/scan', '/kiosk/report', '/kiosk/report/answer'], 'one POST for each step');

  await step(k, 'reset', async () => {
    await k.getByRole('link', { name: msg('nl', 'kiosk.start_over'), exact: true }).tap();
    await k.getByRole('heading', { name: msg('nl', 'kiosk.idle.title') }).waitFor();
  });
  const sent = posts.length;
  await step(k, 'back', async () => {
    // Back, Back (and further): the history holds only pages fetched with
    // GET; none shows the visitor's name, words or questions.
    for (let i = 1; i <= 4; i++) {
      await k.goBack({ waitUntil: 'load' });
      const text = await k.locator('body').innerText();
      assert.ok(!text.includes(name), `Back ×${i} (${k.url()}) shows the name`);
      assert.ok(!text.includes(words), `Back ×${i} (${k.url()}) shows the words`);
      assert.equal(await k.getByRole('button', { name: msg('nl', 'kiosk.report.help_yes'), exact: true }).count(), 0, `Back ×${i} asks the help question again`);
      const typed = await k.locator('textarea').evaluateAll((ts) => ts.map((t) => t.value).join(''));
      assert.equal(typed, '', `Back ×${i} (${k.url()}) brings the typed words back`);
      assert.equal(await k.locator('html').getAttribute('lang'), 'nl');
      assert.equal(posts.length, sent, `Back ×${i} sent ${posts.slice(sent)}`);
    }
  });
  await step(k, 'history', async () => {
    // The same pages fetched again by hand, newest first, as Back would
    // without the idle screen's own guard.
    const pages = [...new Set(visited.filter((u) => !u.endsWith('/kiosk/reset')))].reverse();
    assert.ok(pages.some((u) => u.endsWith('/kiosk/report/help')) && pages.some((u) => u.endsWith('/kiosk/report/thanks')), 'visited: ' + pages);
    for (const u of pages) {
      await k.goto(u);
      const text = await k.locator('body').innerText();
      assert.ok(!text.includes(name) && !text.includes(words), `${u} again shows the previous visitor`);
      assert.equal(await k.getByRole('button', { name: msg('nl', 'kiosk.report.help_yes'), exact: true }).count(), 0, `${u} again asks the help question`);
      assert.equal(posts.length, sent, `${u} again sent ${posts.slice(sent)}`);
    }
  });
  const afterBack = await inbox(srv.base, words);
  assert.deepEqual(afterBack, { all: before.all + 1, words: 1 }, 'one report in the inbox, sent once');

  // The previous visitor's cookies, kept from before the reset, open
  // nothing: the idle screen, not their pages.
  for (const p of ['/kiosk/home', '/kiosk/bookings', '/kiosk/report/help', '/kiosk/report/thanks']) {
    const r = await fetchWith(srv.base + p, kept);
    assert.equal(r.status, 303, `${p} with the old session: ${r.status}`);
    assert.equal(r.location, '/kiosk', `${p} with the old session leads to ${r.location}`);
  }
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await other.addCookies(kept.map((c) => ({ name: c.name, value: c.value, url: srv.base })));
  const p2 = await other.newPage();
  await p2.goto(srv.base + '/kiosk/home');
  await p2.getByRole('heading', { name: msg('nl', 'kiosk.idle.title') }).waitFor();
  assert.ok(!(await p2.locator('body').innerText()).includes(name));
  await other.close();
  await ctx.close();
});

test('the server forgets the visitor after the idle time and the countdown, whatever the browser does', async () => {
  const idle = await startServer(['--kiosk-idle', '5s']);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const k = await ctx.newPage();
    await k.goto(idle.base + '/kiosk');
    await scanCard(k, idle.dutchCard);
    const name = await greetedName(k);
    const kept = (await ctx.cookies()).filter((c) => c.name.startsWith('drempel_'));
    // The kiosk's browser hangs or leaves: no reset from its side.
    await k.goto('about:blank');
    const at = Date.now();
    let r = await fetchWith(idle.base + '/kiosk/home', kept);
    assert.equal(r.status, 200, 'the session answers while the visitor may still be there');
    assert.ok(r.body.includes(name));
    // That request started the 5 s + 20 s again.
    await new Promise((res) => setTimeout(res, 25000 + 2500 - (Date.now() - at)));
    r = await fetchWith(idle.base + '/kiosk/home', kept);
    assert.equal(r.status, 303, 'the session has ended');
    assert.equal(r.location, '/kiosk');
    r = await fetchWith(idle.base + '/kiosk', kept);
    assert.ok(!r.body.includes(name));
    assert.match(r.body, /<html lang="nl"/, 'and the visitor\'s language with it');
  } finally {
    await ctx.close();
    await idle.stop();
  }
});

// A JPEG of random pixels, as large as the server takes, made by the
// browser's own encoder.
async function noiseJPEG(page) {
  const url = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 800; c.height = 600;
    const g = c.getContext('2d');
    const img = g.createImageData(800, 600);
    crypto.getRandomValues(img.data.subarray(0, 65536));
    for (let i = 65536; i < img.data.length; i += 65536) crypto.getRandomValues(img.data.subarray(i, i + 65536));
    for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
    g.putImageData(img, 0, 0);
    for (let q = 1.0; q > 0.1; q -= 0.05) {
      const u = c.toDataURL('image/jpeg', q);
      if ((u.length - 23) * 3 / 4 <= 600 * 1024) return u;
    }
    return null;
  });
  assert.ok(url, 'a noise frame that fits');
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

// A sender of noise: its own kiosk screen (cookie and form token), posting
// frames as fast as they are answered until stopped.
async function flood(base, frame, stats, stopped) {
  const page = await fetch(base + '/kiosk/camera');
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = (await page.text()).match(/name="_csrf" value="([^"]+)"/)[1];
  while (!stopped()) {
    const fd = new FormData();
    fd.append('_csrf', token);
    fd.append('frame', new Blob([frame], { type: 'image/jpeg' }), 'frame.jpg');
    const r = await fetch(base + '/kiosk/scan-image', { method: 'POST', body: fd, headers: { cookie }, redirect: 'manual' });
    const body = await r.text();
    stats.sent++;
    if (r.status === 429) stats.limited++;
    else if (r.status !== 200) stats.other++;
    else if (body !== '{}') stats.codes++;
  }
}

test('during a flood of noise frames, the camera reads a card', async () => {
  // Amina's card, printed by staff and filmed by Chromium's fake camera.
  const staffCtx = await browser.newContext({ locale: 'nl-BE' });
  const staff = await staffCtx.newPage();
  await signIn(staff, srv.base, srv.logins.staff);
  await staff.goto(srv.base + '/admin/members?q=Amina');
  await staff.getByRole('link', { name: 'Amina' }).first().click();
  const pdf = await (await pressForPDF(staff, staff.getByRole('button', { name: msg('nl', 'admin.card.print'), exact: true }))).body();
  const noise = await noiseJPEG(staff);
  await staffCtx.close();
  const dir = mkdtempSync(join(tmpdir(), 'drempel-flood-'));
  writeFileSync(join(dir, 'card.pdf'), pdf);
  execFileSync('pdftoppm', ['-jpeg', '-scale-to-x', '640', '-scale-to-y', '404', '-singlefile', join(dir, 'card.pdf'), join(dir, 'card')]);
  renameSync(join(dir, 'card.jpg'), join(dir, 'card.mjpeg'));

  const stats = { sent: 0, limited: 0, other: 0, codes: 0 };
  let stop = false;
  const senders = [0, 1, 2, 3].map(() => flood(srv.base, noise, stats, () => stop));
  const cam = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--use-file-for-fake-video-capture=' + join(dir, 'card.mjpeg')]);
  const k = await (await cam.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  try {
    await new Promise((res) => setTimeout(res, 1000)); // the flood is on
    const sentBefore = stats.sent;
    const posts = [];
    k.on('request', (r) => { if (r.method() === 'POST') posts.push(new URL(r.url()).pathname); });
    let began;
    await step(k, 'flood', async () => {
      await k.goto(srv.base + '/kiosk');
      began = Date.now();
      await k.getByRole('link', { name: msg('nl', 'kiosk.camera.button'), exact: true }).click();
      await k.getByRole('heading', { name: /Amina/ }).waitFor({ timeout: 20000 });
    });
    assert.ok(stats.sent - sentBefore > 4, `the noise kept coming while the card was read (${stats.sent - sentBefore} frames)`);
    // Once a frame gave the code, the page sends the form once and no more
    // frames: those would keep a busy server decoding while the check-in
    // waits, and a second code would start the check-in over.
    const scan = posts.indexOf('/kiosk/scan');
    assert.ok(scan > 0 && posts.slice(0, scan).every((p) => p === '/kiosk/scan-image'), 'frames, then the check-in: ' + posts);
    assert.deepEqual(posts.slice(scan), ['/kiosk/scan'], 'after the code, one check-in and no frames');
    console.log(`card read and greeted ${Date.now() - began} ms after the camera button, from ${scan} frames`);
  } finally {
    stop = true;
    await Promise.all(senders);
    await cam.close();
  }
  assert.equal(stats.codes, 0, 'noise gives no code');
  assert.equal(stats.other, 0, 'every noise frame got an answer the camera page reads');
  console.log(`noise frames: ${stats.sent} sent, ${stats.limited} refused by the rate limit`);
});
