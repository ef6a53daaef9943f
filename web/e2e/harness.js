// Test harness: start a real Drempel binary on a free loopback port with a
// fresh data directory, and a real headless Chromium (Debian's package).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export const BIN = process.env.DREMPEL_BIN;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BIN) throw new Error('DREMPEL_BIN is not set: run the browser tests through .ci/test');

export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), 'test-results');
mkdirSync(SHOTS, { recursive: true });

// startServer runs `drempel --demo` and resolves once it listens, with the
// demo logins and sample card it printed.
export function startServer(extraArgs = []) {
  const data = mkdtempSync(join(tmpdir(), 'drempel-e2e-'));
  const proc = spawn(BIN, ['--demo', '--data', data, '--addr', '127.0.0.1:0', ...extraArgs], {
    env: { ...process.env, DREMPEL_DATABASE_URL: freshDatabase() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  proc.stderr.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + out + err)), 30000);
    proc.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}${err}`)));
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/kiosk (http:\/\/\S+)\/kiosk/);
      if (!m) return;
      clearTimeout(timer);
      const logins = {};
      for (const l of out.matchAll(/^\s+(admin|staff|facilitator|coordinator)\s+(\S+)\s+password: (\S+)$/gm)) {
        logins[l[1]] = { email: l[2], password: l[3] };
      }
      const card = out.match(/then Enter:\n\s+([0-9A-Z]{26})/)[1];
      const dutch = out.match(/prefers Dutch has this card:\n\s+([0-9A-Z]{26})/)?.[1];
      const rater = out.match(/asks for a smiley\):\n\s+([0-9A-Z]{26})/)?.[1];
      resolve({ base: m[1], logins, sampleCard: card, dutchCard: dutch, raterCard: rater, byLang: demoMembersByLang(out), proc, data, stderr: () => err,
        stop: () => new Promise((r) => { proc.removeAllListeners('exit'); proc.on('exit', r); proc.kill('SIGTERM'); }) });
    });
  });
}

// With E2E_POSTGRES_URL (a server's admin URL), every server gets a fresh
// PostgreSQL database; without it, SQLite in its data directory.
function freshDatabase() {
  const admin = process.env.E2E_POSTGRES_URL;
  if (!admin) return '';
  const name = 'drempel_e2e_' + Math.random().toString(36).slice(2, 10);
  execFileSync('psql', [admin, '-qc', `CREATE DATABASE ${name}`]);
  const u = new URL(admin);
  u.pathname = '/' + name;
  return u.toString();
}

export async function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

// offlineGuard fails the test when the page asks for anything that is not
// on the Drempel server itself.
export function offlineGuard(page, base) {
  const outside = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
  });
  return outside;
}

// A USB scanner is a keyboard: it types the token and presses Enter.
export async function scanCard(page, token) {
  await page.keyboard.type(token, { delay: 5 });
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

// pressForPDF presses a button whose form answers with a PDF in a new tab
// (printing a card issues it, so it is a POST) and returns the response:
// the request the browser sends, with the form's fields and the button's.
export async function pressForPDF(page, button) {
  const { action, fields } = await button.evaluate((b) => ({
    action: b.form.action,
    fields: Object.fromEntries(new FormData(b.form, b).entries()),
  }));
  return page.request.post(action, { form: fields });
}

// decodeCardPDF renders a card PDF as a printer would (pdftoppm) and
// reads the QR code back from the picture.
export function decodeCardPDF(pdfBytes, name = 'card') {
  const dir = mkdtempSync(join(tmpdir(), 'drempel-pdf-'));
  const pdf = join(dir, name + '.pdf');
  writeFileSync(pdf, pdfBytes);
  execFileSync('pdftoppm', ['-r', '200', '-png', '-singlefile', pdf, join(dir, name)]);
  const png = PNG.sync.read(readFileSync(join(dir, name + '.png')));
  const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
  return { token: qr ? qr.data : null, text, png: join(dir, name + '.png'), pdf };
}

export async function signIn(page, base, login) {
  await page.goto(base + '/admin');
  await page.getByLabel(msg('nl', 'field.email')).fill(login.email);
  await page.getByLabel(msg('nl', 'field.password')).fill(login.password);
  await page.getByRole('button', { name: msg('nl', 'admin.login.submit') }).click();
}

// minTarget returns the elements a finger must hit that are smaller than
// 48 × 48 CSS pixels.
export async function smallTargets(page) {
  return page.$$eval('a, button, [role=button]', (els) => els
    .filter((e) => e.offsetParent !== null)
    .map((e) => { const r = e.getBoundingClientRect(); return { t: (e.innerText || e.getAttribute('aria-label') || '').trim(), w: r.width, h: r.height }; })
    .filter((r) => r.w < 48 || r.h < 48));
}

// msg reads a message from the app's own catalog, so that tests find
// buttons by the words people see in every language.
const catalogs = {};
export function msg(lang, key) {
  if (!catalogs[lang]) {
    const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'i18n', lang + '.toml'), 'utf8');
    catalogs[lang] = {};
    for (const m of text.matchAll(/^"([^"]+)" = "((?:[^"\\]|\\.)*)"$/gm)) {
      catalogs[lang][m[1]] = JSON.parse('"' + m[2] + '"');
    }
  }
  const s = catalogs[lang][key];
  if (s === undefined) throw new Error(`no message ${key} in ${lang}`);
  return s;
}

// decodePDFPages renders every page of a PDF and decodes one QR code per
// page (a roll of labels has one label a page).
export function decodePDFPages(pdfBytes, name = 'pages') {
  const dir = mkdtempSync(join(tmpdir(), 'drempel-pdf-'));
  const pdf = join(dir, name + '.pdf');
  writeFileSync(pdf, pdfBytes);
  execFileSync('pdftoppm', ['-r', '300', '-png', pdf, join(dir, 'p')]);
  const out = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.png')).sort()) {
    const png = PNG.sync.read(readFileSync(join(dir, f)));
    const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    out.push(qr ? qr.data : null);
  }
  return out;
}

// demoMembersByLang reads the demo's "A member in each language" list from
// the server's console, the lines "  <lang> <TOKEN>  <nickname>" after that
// heading: { lang: { token, nickname } }, the nickname in its own script.
export function demoMembersByLang(stdout) {
  const byLang = {};
  const at = stdout.indexOf('A member in each language');
  if (at < 0) return byLang;
  for (const line of stdout.slice(at).split('\n').slice(1)) {
    const m = line.match(/^ {2}([a-z]{2,3}) +([0-9A-Z]{26}) {2}(.+)$/);
    if (!m) break;
    byLang[m[1]] = { token: m[2], nickname: m[3] };
  }
  return byLang;
}
