import { useMemo, useState } from 'react';
import { fill, formatBytes, useStrings } from '../i18n';

const PREVIEW_CHARS = 64 * 1024;

interface Part {
  title: string;
  text: string;
}

/** Splits a message into its header and top-level MIME parts, for collapsible display. */
export function splitSource(source: string): { header: string; parts: Part[] } {
  const headerEnd = source.indexOf('\r\n\r\n');
  const header = headerEnd >= 0 ? source.slice(0, headerEnd) : source;
  const body = headerEnd >= 0 ? source.slice(headerEnd + 4) : '';
  const m = /boundary="?([^";\r\n]+)"?/i.exec(header.replace(/\r\n[ \t]/g, ' '));
  if (!m) return { header, parts: body ? [{ title: 'body', text: body }] : [] };
  const delim = `--${m[1]}`;
  const chunks = body.split(new RegExp(`\\r\\n?${delim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?`));
  const parts = chunks
    .slice(1)
    .map((c) => c.replace(/^\r\n/, ''))
    .filter((c) => c.trim().length > 0)
    .map((text) => {
      const ct = /^content-type:\s*([^;\r\n]+)/im.exec(text);
      return { title: ct ? ct[1]!.trim() : 'text/plain', text };
    });
  return { header, parts };
}

function Clipped({ text }: { text: string }) {
  const t = useStrings();
  const [all, setAll] = useState(false);
  const long = text.length > PREVIEW_CHARS;
  return (
    <>
      <pre className="source">{all || !long ? text : text.slice(0, PREVIEW_CHARS) + '\n…'}</pre>
      {long && !all && (
        <button type="button" onClick={() => setAll(true)}>
          {fill(t.test.showAll, { size: formatBytes(text.length) })}
        </button>
      )}
    </>
  );
}

/** The MIME source with its parts collapsible; very large parts are shown clipped until asked. */
export function MimeSource({ source }: { source: string }) {
  const t = useStrings();
  const { header, parts } = useMemo(() => splitSource(source), [source]);
  return (
    <div className="mime">
      <details open>
        <summary>{t.test.headers}</summary>
        <Clipped text={header} />
      </details>
      {parts.map((p, i) => (
        <details key={i} open={i === 0 && p.text.length < PREVIEW_CHARS}>
          <summary>{fill(t.test.part, { n: i + 1, type: p.title })}</summary>
          <Clipped text={p.text} />
        </details>
      ))}
    </div>
  );
}
