import { useMemo, useState } from 'react';
import type { DecodedMessage } from '../../main/contract';
import { fill, formatBytes, useStrings } from '../i18n';

const PREVIEW_CHARS = 64 * 1024;

interface Part {
  /** the part's content type; null for the body of a message that is not multipart */
  title: string | null;
  text: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Splits a message into its header and top-level MIME parts, for collapsible display. A
 * delimiter is a line of its own (RFC 2046 §5.1.1), the first one possibly at the very start of
 * the body: an unsigned multipart message has no preamble, and its first part is the body text.
 */
export function splitSource(source: string): { header: string; parts: Part[] } {
  const end = /\r?\n\r?\n/.exec(source);
  const header = end ? source.slice(0, end.index) : source;
  const body = end ? source.slice(end.index + end[0].length) : '';
  const m = /boundary="?([^";\r\n]+)"?/i.exec(header.replace(/\r?\n[ \t]/g, ' '));
  if (!m) return { header, parts: body ? [{ title: null, text: body }] : [] };
  const re = new RegExp(`(?:^|\\r?\\n)--${escapeRe(m[1]!.trim())}(--)?[ \\t]*(?=\\r?\\n|$)`, 'g');
  const marks = [...body.matchAll(re)];
  const parts: Part[] = [];
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i]!;
    if (mark[1]) break;
    let start = mark.index + mark[0].length;
    start += body.startsWith('\r\n', start) ? 2 : body.startsWith('\n', start) ? 1 : 0;
    const text = body.slice(start, marks[i + 1]?.index ?? body.length);
    if (text.trim().length === 0) continue;
    const ct = /^content-type:\s*([^;\r\n]+)/im.exec(text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/)) || 2000));
    parts.push({ title: ct ? ct[1]!.trim() : 'text/plain', text });
  }
  return { header, parts };
}

/** Source text, clipped when very large until asked; focusable, so the keyboard can scroll it. */
function Clipped({ text }: { text: string }) {
  const t = useStrings();
  const [all, setAll] = useState(false);
  const long = text.length > PREVIEW_CHARS;
  return (
    <>
      <pre className="source" tabIndex={0}>
        {all || !long ? text : text.slice(0, PREVIEW_CHARS) + '\n…'}
      </pre>
      {long && !all && (
        <button type="button" onClick={() => setAll(true)}>
          {fill(t.test.showAll, { size: formatBytes(text.length) })}
        </button>
      )}
    </>
  );
}

const SHOWN_HEADERS = ['from', 'sender', 'reply-to', 'to', 'cc', 'subject', 'date'];

/** The message as a mail client shows it: the main header fields decoded, then each part's text. */
function Readable({ decoded }: { decoded: DecodedMessage }) {
  const t = useStrings();
  const headers = decoded.headers.filter((h) => SHOWN_HEADERS.includes(h.name.toLowerCase()));
  return (
    <div className="readable" data-testid="readable">
      <dl className="facts mail-headers">
        {headers.map((h, i) => (
          <div key={i} className="fact">
            <dt>{h.name}</dt>
            <dd>{h.value}</dd>
          </div>
        ))}
      </dl>
      {decoded.parts.map((p, i) =>
        p.text !== null ? (
          <div key={i} className="readable-part" data-part={p.path || '1'}>
            <div className="muted small">
              {fill(t.test.part, { n: p.path || '1', type: p.contentType })}
              {p.charset &&
                ` · ${fill(p.charsetUnknown ? t.test.charsetUnknown : t.test.charset, { charset: p.charset })}`}
            </div>
            <pre className="source readable-text" tabIndex={0}>
              {p.text}
            </pre>
            {p.truncated && <p className="muted small">{t.test.truncated}</p>}
          </div>
        ) : (
          <p key={i} className="readable-part attachment" data-part={p.path || '1'}>
            {p.fileName
              ? fill(t.test.attachment, { name: p.fileName, type: p.contentType, size: formatBytes(p.size) })
              : fill(t.test.binaryPart, { type: p.contentType, size: formatBytes(p.size) })}
          </p>
        ),
      )}
    </div>
  );
}

/**
 * A delivery's message twice: readable (header fields and text decoded in main, whatever the
 * charset) and as its MIME source, with the parts collapsible and very large ones clipped.
 */
export function MimeSource({ source, decoded }: { source: string; decoded?: DecodedMessage | null }) {
  const t = useStrings();
  const { header, parts } = useMemo(() => splitSource(source), [source]);
  return (
    <div className="mime-views">
      {decoded && (
        <details open className="mime-view">
          <summary>{t.test.readable}</summary>
          <p className="muted small">{t.test.readableHint}</p>
          <Readable decoded={decoded} />
        </details>
      )}
      <details open className="mime-view mime">
        <summary>{t.test.raw}</summary>
        <details open>
          <summary>{t.test.headers}</summary>
          <Clipped text={header} />
        </details>
        {parts.map((p, i) => (
          <details key={i} open={i === 0 && p.text.length < PREVIEW_CHARS}>
            <summary>{p.title === null ? t.test.body : fill(t.test.part, { n: i + 1, type: p.title })}</summary>
            <Clipped text={p.text} />
          </details>
        ))}
      </details>
    </div>
  );
}
