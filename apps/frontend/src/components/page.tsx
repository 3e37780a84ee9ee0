import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';

const SITE = 'Platform Shop';

/** Sets the document title for the page: "Catalog · Platform Shop". */
export function useTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · ${SITE}` : SITE;
  }, [title]);
}

let focusPending = false;

/** Whether the element is laid out: neither it nor an ancestor up to `container` has display: none. */
function isShown(element: HTMLElement, container: HTMLElement): boolean {
  for (let node: HTMLElement | null = element; node && node !== container; node = node.parentElement)
    if (getComputedStyle(node).display === 'none') return false;
  return true;
}

/**
 * Moves focus to the page's heading after a navigation (never on the first load): at once when
 * the new page already shows its heading, else as soon as it does (a page still loading). While
 * the next page's code loads, React keeps the previous page in the document, hidden (display:
 * none), under the loading message: its heading is not the one to focus.
 */
export function focusHeading(container: HTMLElement | null): void {
  const heading = container
    ? [...container.querySelectorAll<HTMLElement>('h1')].find((h1) => isShown(h1, container))
    : undefined;
  if (heading) {
    focusPending = false;
    heading.focus();
  } else {
    focusPending = true;
  }
}

/** The page's h1, focusable from script so a navigation can move focus to it. */
export function PageHeading({ children, id }: { children: ReactNode; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focusPending && ref.current) {
      focusPending = false;
      ref.current.focus();
    }
  }, []);
  return (
    <h1 id={id} ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
