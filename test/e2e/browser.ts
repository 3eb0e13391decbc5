import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/** The system's Chromium: the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/**
 * Where tests save screenshots (1280×800): with UPDATE_DOCS_IMAGES=1 they replace the README
 * figures in docs/images (`npm run screenshots`), otherwise they go to test-output so a test run
 * leaves docs alone.
 */
export const IMAGES = resolve(
  import.meta.dirname,
  process.env.UPDATE_DOCS_IMAGES === '1' ? '../../docs/images' : '../../test-output/screenshots',
);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-gpu',
    ],
  });
}

/**
 * The little of the browser the page functions touch. The tests are type-checked without the
 * DOM library (it would leak into the Node code), so page functions reach the globals as
 * `(globalThis as unknown as PageGlobals).document`, which also runs as-is in the page.
 */
export interface PageElement {
  readonly textContent: string | null;
  readonly clientWidth: number;
  readonly scrollWidth: number;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
}

export interface PageGlobals {
  readonly document: {
    readonly activeElement: PageElement | null;
    readonly documentElement: PageElement;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): { readonly length: number };
  };
  readonly __xss?: unknown;
}

export interface PageCanvas {
  readonly width: number;
  readonly height: number;
  readonly clientWidth: number;
  getContext(kind: '2d'): {
    getImageData(
      x: number,
      y: number,
      w: number,
      h: number,
    ): {
      readonly data: Uint8ClampedArray;
      readonly width: number;
    };
  } | null;
}

interface AxeGlobals {
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
  };
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Serious and critical axe violations on the page as it is now. */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(await readFile(AXE, 'utf8'));
  const result = await page.evaluate(() =>
    (globalThis as unknown as AxeGlobals).axe.run((globalThis as unknown as PageGlobals).document, {
      resultTypes: ['violations'],
    }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
