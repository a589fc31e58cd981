import { useRef, type ReactNode } from 'react';
import { useStrings } from '../i18n';
import { Dialog } from './dialog';

/** Asks before something that cannot be taken back; Cancel has focus first, Enter on the button confirms. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  onConfirm,
  onClose,
  busy,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  onClose(): void;
  busy?: boolean;
}) {
  const t = useStrings();
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      title={title}
      onClose={onClose}
      onSubmit={onConfirm}
      initialFocus={cancel}
      testId="confirm"
      footer={
        <>
          <button type="button" onClick={onClose} ref={cancel}>
            {t.common.cancel}
          </button>
          <button type="submit" className="danger" disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
