import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { createPortal } from 'react-dom';
import { useStrings } from '../i18n';

interface DialogProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** body and footer become one form: Enter in a field submits it (the footer's submit button) */
  onSubmit?(): void;
  /** what gets focus first; by default the first field, else the first control of the body, else of the footer */
  initialFocus?: RefObject<HTMLElement | null>;
  testId?: string;
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
const FIELD =
  'input:not([disabled]):not([readonly]):not([type="hidden"]):not([type="checkbox"]):not([type="radio"]), select:not([disabled]), textarea:not([disabled]):not([readonly])';

/** The open dialogs' hosts, innermost last: only the innermost is live, everything else is inert. */
const open: HTMLElement[] = [];
const INERT_MARK = 'data-inert-by-dialog';

function applyInert(): void {
  const top = open.at(-1);
  for (const el of [...document.body.children]) {
    const mine = el.hasAttribute(INERT_MARK);
    if (top && el !== top && !el.hasAttribute('inert')) {
      el.setAttribute('inert', '');
      el.setAttribute(INERT_MARK, '');
    } else if ((!top || el === top) && mine) {
      el.removeAttribute('inert');
      el.removeAttribute(INERT_MARK);
    }
  }
}

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.closest('[hidden], details:not([open]) > :not(summary)'),
  );
}

/** Where focus goes when what opened the dialog is gone (its row was deleted): the screen's heading. */
function fallbackFocus(): void {
  document.querySelector<HTMLElement>('main h1')?.focus();
}

/**
 * A modal dialog: rendered above the page, which is inert meanwhile (no Tab, no click, no screen
 * reader reaches it); focus starts in the first field, stays in the dialog whatever happens (a
 * button disabled under it, a click on the backdrop), Escape always closes, and focus returns to
 * what opened it.
 */
export function Dialog({ title, onClose, children, footer, wide, onSubmit, initialFocus, testId }: DialogProps) {
  const t = useStrings();
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const [host] = useState(() => {
    const el = document.createElement('div');
    el.className = 'dialog-host';
    return el;
  });
  // what had focus when the dialog opened: read at the first render, before the page turns inert (which blurs it)
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  const onCloseRef = useRef(onClose);
  useLayoutEffect(() => {
    onCloseRef.current = onClose;
  });

  useLayoutEffect(() => {
    document.body.appendChild(host);
    open.push(host);
    applyInert();
    return () => {
      open.splice(open.indexOf(host), 1);
      host.remove();
      applyInert();
    };
  }, [host]);

  // a body that scrolls takes focus itself when nothing in it can (axe: scrollable-region-focusable)
  useLayoutEffect(() => {
    const body = bodyRef.current;
    if (!body || typeof ResizeObserver === 'undefined') return;
    const update = () => {
      if (body.scrollHeight > body.clientHeight + 1) body.tabIndex = 0;
      else body.removeAttribute('tabindex');
    };
    const ro = new ResizeObserver(update);
    ro.observe(body);
    for (const child of body.children) ro.observe(child);
    update();
    return () => ro.disconnect();
  });

  useEffect(() => {
    const dialog = ref.current!;
    const first =
      initialFocus?.current ??
      bodyRef.current?.querySelector<HTMLElement>(FIELD) ??
      (bodyRef.current ? focusables(bodyRef.current)[0] : undefined) ??
      dialog.querySelector<HTMLElement>('.dialog-footer button:not([disabled])') ??
      dialog;
    first.focus();
    const isTop = () => open.at(-1) === host;
    const onKeyDown = (e: KeyboardEvent) => {
      if (!isTop()) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onCloseRef.current();
        return;
      }
      if (e.key !== 'Tab') return;
      const items = focusables(dialog);
      if (items.length === 0) {
        e.preventDefault();
        dialog.focus();
        return;
      }
      const active = document.activeElement;
      const firstItem = items[0]!;
      const lastItem = items[items.length - 1]!;
      const inside = active instanceof Node && dialog.contains(active) && active !== dialog;
      if (!inside) {
        e.preventDefault();
        (e.shiftKey ? lastItem : firstItem).focus();
      } else if (e.shiftKey && active === firstItem) {
        e.preventDefault();
        lastItem.focus();
      } else if (!e.shiftKey && active === lastItem) {
        e.preventDefault();
        firstItem.focus();
      }
    };
    // focus that falls out (a button disabled while busy, a click on the backdrop) comes back
    const onFocusOut = (e: FocusEvent) => {
      if (e.relatedTarget && dialog.contains(e.relatedTarget as Node)) return;
      setTimeout(() => {
        if (!isTop() || !dialog.isConnected) return;
        const a = document.activeElement;
        if (!a || a === document.body || !dialog.contains(a)) dialog.focus();
      }, 0);
    };
    document.addEventListener('keydown', onKeyDown, true);
    dialog.addEventListener('focusout', onFocusOut);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      dialog.removeEventListener('focusout', onFocusOut);
      // after the page is live again (the layout effect above ran first)
      setTimeout(() => {
        if (open.length > 0 && open.at(-1) !== host) {
          // another dialog is open (this one was replaced): it keeps focus
          if (document.activeElement && open.at(-1)!.contains(document.activeElement)) return;
        }
        if (opener?.isConnected && !opener.closest('[inert]')) opener.focus();
        else if (open.length === 0) fallbackFocus();
      }, 0);
    };
    // initialFocus is read once, when the dialog opens
  }, [host]);

  const header = (
    <header className="dialog-header">
      <h2 id={id}>{title}</h2>
      <button type="button" className="icon" onClick={onClose} aria-label={t.common.close}>
        ×
      </button>
    </header>
  );
  const content = (
    <>
      <div className="dialog-body" ref={bodyRef}>
        {children}
      </div>
      {footer && <footer className="dialog-footer">{footer}</footer>}
    </>
  );
  return createPortal(
    <div
      className="backdrop"
      onMouseDown={(e) => {
        // a click beside the dialog neither closes it nor takes focus from it
        if (e.target === e.currentTarget) e.preventDefault();
      }}
    >
      <div
        ref={ref}
        className={wide ? 'dialog wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        tabIndex={-1}
        data-testid={testId}
      >
        {header}
        {onSubmit ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              onSubmit();
            }}
          >
            {content}
          </form>
        ) : (
          content
        )}
      </div>
    </div>,
    host,
  );
}
