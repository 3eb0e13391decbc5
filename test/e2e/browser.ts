import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The system's Chromium: the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

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
