// Provenance: the pictograms and fonts that Drempel ships are the ones the
// npm registry ships, unchanged. web/static/pictograms/SOURCES and
// web/fonts/SOURCES name, for each committed file, the package, version and
// path it was copied from; this test compares the committed bytes with that
// file in node_modules (installed from package-lock.json). It needs no server
// and no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const WEB = join(here, '..');
const MODULES = join(here, 'node_modules');
const PICTOS = join(WEB, 'static', 'pictograms');
const FONTS = join(WEB, 'fonts');

// sourceLines returns the lines of a SOURCES file as arrays of fields,
// without blank lines and # comments.
function sourceLines(file) {
  return readFileSync(file, 'utf8').split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}

// splitSpec splits "openmoji@17.0.0" or "@scope/name@1.2.3" into name and version.
function splitSpec(spec) {
  const at = spec.lastIndexOf('@');
  assert.ok(at > 0, `no version in ${spec}`);
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

// packageFile reads a file of an installed package, after checking that the
// installed version is the one SOURCES names.
function packageFile(spec, path) {
  const { name, version } = splitSpec(spec);
  const pkg = join(MODULES, ...name.split('/'));
  const installed = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
  assert.equal(installed, version, `${name} installed is ${installed}, SOURCES names ${version}`);
  assert.ok(!path.split('/').includes('..'), `path leaves the package: ${path}`);
  return readFileSync(join(pkg, ...path.split('/')));
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

test('every pictogram comes from an open symbol set, or says why it was drawn', async (t) => {
  const lines = sourceLines(join(PICTOS, 'SOURCES'));
  const listed = new Set();
  let fromPackage = 0;
  for (const [file, source, ...rest] of lines) {
    await t.test(file, () => {
      assert.ok(!listed.has(file), `${file} is listed twice`);
      listed.add(file);
      assert.ok(existsSync(join(PICTOS, file)), `${file} is listed but missing`);
      const committed = readFileSync(join(PICTOS, file));
      if (source === 'drawn') {
        assert.ok(rest.length > 0, `${file}: say why it was drawn`);
        return;
      }
      assert.match(source, /^openmoji@\d/, `${file}: unknown source ${source}`);
      const [path] = rest;
      assert.ok(path, `${file}: no path in the package`);
      assert.ok(committed.equals(packageFile(source, path)),
        `${file} differs from node_modules/${splitSpec(source).name}/${path}`);
      fromPackage++;
    });
  }
  const svgs = readdirSync(PICTOS).filter((f) => f.endsWith('.svg'));
  assert.deepEqual(svgs.filter((f) => !listed.has(f)), [], 'pictograms missing from SOURCES');
  assert.ok(fromPackage > 0, 'no pictogram comes from a package');
});

test('every font is the one its npm package ships, with the listed sha256', async (t) => {
  const lines = sourceLines(join(FONTS, 'SOURCES'));
  const listed = new Set();
  for (const [file, spec, path, sum, ...extra] of lines) {
    await t.test(file, () => {
      assert.deepEqual(extra, [], `${file}: too many fields`);
      assert.match(sum ?? '', /^[0-9a-f]{64}$/, `${file}: no sha256`);
      listed.add(file);
      const committed = readFileSync(join(FONTS, file));
      assert.equal(sha256(committed), sum, `${file}: sha256 differs from SOURCES`);
      assert.ok(committed.equals(packageFile(spec, path)),
        `${file} differs from node_modules/${splitSpec(spec).name}/${path}`);
    });
  }
  const fonts = readdirSync(FONTS).filter((f) => /\.(ttf|otf|woff2?)$/.test(f));
  assert.deepEqual(fonts.filter((f) => !listed.has(f)), [], 'fonts missing from SOURCES');
  assert.ok(listed.size > 0, 'no font listed');
});
