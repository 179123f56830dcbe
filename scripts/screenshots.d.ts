/** Types for scripts/screenshots.js (plain CommonJS), so the browser e2e test can run the same conversation. */
import type { BrowserContext, Page } from "playwright-core";
import type { PlaygroundClient } from "./playground-lib";

export interface Shot {
  /** welcome, score, playground (the whole window), help, exposure, vm, jit-approval, jit-approved, capture, digest */
  name: string;
  /** The PNG written. */
  file: string;
  /** What the card (or, for "playground", the page) shows, as text. */
  text: string;
}

/** Headless Debian Chromium on a fresh profile; every non-loopback host blocked. */
export function launchBrowser(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }>;

/** Drives the playground page through the first conversation and crops each card into `outDir`. */
export function runConversation(options: { page: Page; client: PlaygroundClient; outDir: string; log?: (line: string) => void }): Promise<Shot[]>;

/** About the width Teams gives a card on a phone, in CSS pixels. */
export const NARROW_WIDTH: number;
/** Draws each card alone `width` px wide; lists elements that stick out and texts cut off. Empty = all fit. */
export function narrowProblems(page: Page, cards: unknown[], width?: number): Promise<string[]>;

export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
/** What the page shows when a card cannot be parsed or rendered. */
export const CARD_ERRORS: RegExp;
