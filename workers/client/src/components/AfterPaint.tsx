import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * Renders `children()` only once the page around it has been painted: for secondary parts
 * that cost time to compute or draw (a timeline), so that they never delay the heading and
 * text a person came for. They appear a frame later.
 */
export function AfterPaint({ children }: { children: () => ComponentChildren }) {
  const [painted, setPainted] = useState(false);
  // Preact runs effects after the browser has painted the next frame.
  useEffect(() => setPainted(true), []);
  return painted ? <>{children()}</> : null;
}
