// WCAG 2.1 AA check of rendered pages: HTML_CodeSniffer's WCAG2AA standard, run inside
// headless Chromium, once at a desktop width and once at 320 CSS pixels (WCAG 1.4.10 Reflow),
// where it also looks for content that makes the page scroll sideways.
//
//   node tests/a11y/check.mjs URL...
//
// Prints every message of type ERROR with its URL, width, code, message and element, and
// exits 0 when there is none, 1 when there is any (or a page cannot be loaded), and 2 when
// the check cannot run at all (no Chromium, no node_modules).
//
// Environment: CHROMIUM (default /usr/bin/chromium), A11Y_PAGE_TIMEOUT_MS (default 30000).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE_TIMEOUT_MS = Number(process.env.A11Y_PAGE_TIMEOUT_MS) || 30000;
const STANDARD = 'WCAG2AA';
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  // WCAG 2.1 SC 1.4.10: content reflows without two-dimensional scrolling at 320 CSS px.
  { name: 'phone', width: 320, height: 640, isMobile: true, hasTouch: true, reflow: true },
];
const SNIPPET_MAX = 240;

function cannotRun(message) {
  console.error(`a11y: cannot run: ${message}`);
  process.exit(2);
}

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: node tests/a11y/check.mjs URL...');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  cannotRun(`no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM)`);
}

const require = createRequire(import.meta.url);
let puppeteer;
let htmlcsPath;
try {
  puppeteer = (await import('puppeteer-core')).default;
  htmlcsPath = require.resolve('html_codesniffer/build/HTMLCS.js');
} catch (error) {
  cannotRun(`${error.message} (run: npm ci --prefix tests/a11y)`);
}

// Rejects after `ms` so that no page can hang the run.
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Runs in the page: HTML_CodeSniffer's errors, each with a short element snippet.
function sniff(standard, snippetMax) {
  const snippet = (element) => {
    if (!element || !element.outerHTML) {
      return '(document)';
    }
    const html = element.outerHTML.replace(/\s+/g, ' ');
    if (html.length <= snippetMax) {
      return html;
    }
    // A large element (the html element carries the injected script): its start tag only.
    const startTag = html.slice(0, html.indexOf('>') + 1);
    return startTag.length <= snippetMax ? `${startTag}…` : `${html.slice(0, snippetMax)}…`;
  };
  return new Promise((resolve, reject) => {
    // eslint-disable-next-line no-undef
    const htmlcs = window.HTMLCS;
    htmlcs.process(
      standard,
      document,
      () =>
        resolve(
          htmlcs
            .getMessages()
            .filter((m) => m.type === htmlcs.ERROR)
            .map((m) => ({ code: m.code, message: m.msg, snippet: snippet(m.element) })),
        ),
      () => reject(new Error(`HTML_CodeSniffer could not load the ${standard} standard`)),
      'en',
    );
  });
}

// Runs in the page, after HTML_CodeSniffer is injected and before it runs: works around two
// bugs in its WCAG 2.1 SC 1.3.5 sniff (H98, html_codesniffer 2.5.1), which made it throw
// "Cannot read properties of undefined (reading 'replace')" on the officer sign-in page and
// so check nothing there at all.
//  1. It looks its control-group error texts up as "1_3_5_H98.InvalidAutoComplete_*", but its
//     translations name them "1_3_5_H98.InvalidAutocomplete_*": the lookup gives undefined and
//     any control-group error becomes a TypeError. Aliasing the keys turns such errors back
//     into reported errors.
//  2. Its control groups are HTML 5.2's, where the "username" field is allowed only on text
//     controls. HTML now allows it on <input type="email"> as well (whatwg/html#5881, the
//     "Username" control group), which is how a sign-in form whose user name is an email
//     address tells password managers what the field is; axe-core and the Nu validator accept
//     it too. Only that exact combination is let through; every other value is still checked.
function patchHtmlcs() {
  for (const messages of Object.values(window.translation ?? {})) {
    for (const [key, text] of Object.entries(messages)) {
      const alias = key.replace(/^1_3_5_H98\.InvalidAutocomplete_/, '1_3_5_H98.InvalidAutoComplete_');
      if (alias !== key && !(alias in messages)) {
        messages[alias] = text;
      }
    }
  }
  // eslint-disable-next-line no-undef
  const sniff = window.HTMLCS_WCAG2AAA_Sniffs_Principle1_Guideline1_3_1_3_5;
  if (sniff && typeof sniff.checkControlGroups === 'function') {
    const checkControlGroups = sniff.checkControlGroups;
    sniff.checkControlGroups = function (element) {
      const isEmailUsername =
        element.tagName === 'INPUT' &&
        (element.getAttribute('type') ?? '').trim().toLowerCase() === 'email' &&
        (element.getAttribute('autocomplete') ?? '').trim().toLowerCase() === 'username';
      return isEmailUsername ? undefined : checkControlGroups.call(this, element);
    };
  }
}

// Runs in the page: does anything make the page wider than the viewport? Content inside a
// container that scrolls on its own (a wide data table, WCAG's named exception) is fine.
function reflow(snippetMax) {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width + 1) {
    problems.push({
      code: 'Reflow.HorizontalScroll',
      message: `The page is ${scrollWidth}px wide in a ${width}px viewport: it scrolls sideways (WCAG 2.1 SC 1.4.10).`,
      snippet: '(document)',
    });
  }
  const scrollsOnItsOwn = (element) => {
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
      const overflow = getComputedStyle(e).overflowX;
      if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') {
        return true;
      }
    }
    return false;
  };
  const snippet = (element) => {
    const html = element.outerHTML.replace(/\s+/g, ' ');
    const startTag = html.slice(0, html.indexOf('>') + 1);
    return html.length <= snippetMax ? html : `${startTag.slice(0, snippetMax)}…`;
  };
  const hasText = (element) =>
    [...element.childNodes].some((n) => n.nodeType === 3 && n.nodeValue.trim() !== '');
  for (const element of document.body.querySelectorAll('*')) {
    const rect = element.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || scrollsOnItsOwn(element)) {
      continue;
    }
    // A box wider than the viewport: only the outermost one, not each of its descendants.
    const parent = element.parentElement;
    if (
      rect.right > width + 1 &&
      !(parent && parent !== document.body && parent.getBoundingClientRect().right > width + 1)
    ) {
      problems.push({
        code: 'Reflow.Overflow',
        message: `This element ends at ${Math.round(rect.right)}px, past the ${width}px viewport (WCAG 2.1 SC 1.4.10).`,
        snippet: snippet(element),
      });
      continue;
    }
    // Text that does not wrap (a long word or link) and spills out of its box.
    if (
      hasText(element) &&
      getComputedStyle(element).overflowX === 'visible' &&
      element.scrollWidth > element.clientWidth + 1 &&
      rect.left + element.scrollWidth > width + 1
    ) {
      problems.push({
        code: 'Reflow.TextOverflow',
        message: `The text of this element does not wrap: it runs to ${Math.round(rect.left + element.scrollWidth)}px, past the ${width}px viewport (WCAG 2.1 SC 1.4.10).`,
        snippet: snippet(element),
      });
    }
  }
  return problems;
}

async function checkPage(browser, url, viewport) {
  const page = await browser.newPage();
  const failures = [];
  try {
    // The app's CSP (default-src 'self') would block the injected script.
    await page.setBypassCSP(true);
    await page.setViewport(viewport);
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    page.on('requestfailed', (request) =>
      failures.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`),
    );
    page.on('response', (response) => {
      // The page itself may be an error page on purpose (a 404); its resources may not.
      if (response.status() >= 400 && response.request().resourceType() !== 'document') {
        failures.push(`${response.url()}: HTTP ${response.status()}`);
      }
    });
    await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    const errors = [];
    for (const failure of failures) {
      errors.push({
        code: 'Load.Resource',
        message: `A resource of the page did not load, so the check would not see the page as users do: ${failure}`,
        snippet: '(resource)',
      });
    }
    await page.addScriptTag({ path: htmlcsPath });
    await page.evaluate(patchHtmlcs);
    errors.push(...(await page.evaluate(sniff, STANDARD, SNIPPET_MAX)));
    if (viewport.reflow) {
      errors.push(...(await page.evaluate(reflow, SNIPPET_MAX)));
    }
    return errors;
  } finally {
    await page.close().catch(() => {});
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'rightsdesk-a11y-'));
let browser;
try {
  browser = await withTimeout(
    puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Lets a page saved to a file load its stylesheet from the running app.
        '--allow-file-access-from-files',
      ],
    }),
    PAGE_TIMEOUT_MS,
    'starting Chromium',
  );
} catch (error) {
  rmSync(userDataDir, { recursive: true, force: true });
  cannotRun(`Chromium did not start: ${error.message}`);
}

let errorCount = 0;
try {
  for (const url of urls) {
    for (const viewport of VIEWPORTS) {
      const where = `${url} [${viewport.name} ${viewport.width}px]`;
      let errors;
      try {
        errors = await withTimeout(checkPage(browser, url, viewport), PAGE_TIMEOUT_MS * 2, where);
      } catch (error) {
        errors = [{ code: 'Load.Page', message: error.message, snippet: '(page)' }];
      }
      if (errors.length === 0) {
        console.log(`ok    ${where}`);
        continue;
      }
      errorCount += errors.length;
      console.log(`FAIL  ${where}: ${errors.length} error(s)`);
      for (const e of errors) {
        console.log(`  - ${e.code}\n    ${e.message}\n    ${e.snippet}`);
      }
    }
  }
} finally {
  await browser.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

const pages = urls.length * VIEWPORTS.length;
if (errorCount > 0) {
  console.log(`a11y: ${errorCount} error(s) on ${pages} page view(s) (${STANDARD})`);
  process.exit(1);
}
console.log(`a11y: no errors on ${pages} page view(s) (${STANDARD})`);
process.exit(0);
