import { memo, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CertificateView } from '../../../main/contract';
import { fill, formatDate, useStrings, type Language } from '../../i18n';
import type { Strings } from '../../i18n/strings';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';

const DAY = 86_400_000;
const ROW = 26;

/** The time the axis spans: every certificate's validity, clipped to two years back and three ahead. */
function span(rows: CertificateView[], now: number, firstWarning: number): [number, number] {
  let lo = now - 60 * DAY;
  let hi = now + Math.max(90, firstWarning * 2) * DAY;
  for (const c of rows) {
    const a = Date.parse(c.notBefore);
    const b = Date.parse(c.notAfter);
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  return [Math.max(lo, now - 730 * DAY), Math.min(hi, now + 1095 * DAY)];
}

interface Scale {
  lo: number;
  hi: number;
  /** a moment as a percentage of the width, clipped */
  x(t: number): number;
}

function scale(lo: number, hi: number): Scale {
  return { lo, hi, x: (t) => Math.min(100, Math.max(0, ((t - lo) / (hi - lo)) * 100)) };
}

/** Month or quarter ticks, depending on how long the axis is. */
function ticks(s: Scale): number[] {
  const months = (s.hi - s.lo) / (30 * DAY);
  const step = months > 30 ? 6 : months > 14 ? 3 : 1;
  const d = new Date(s.lo);
  d.setUTCDate(1);
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCMonth(Math.ceil(d.getUTCMonth() / step) * step);
  const out: number[] = [];
  while (d.getTime() <= s.hi && out.length < 40) {
    if (d.getTime() >= s.lo) out.push(d.getTime());
    d.setUTCMonth(d.getUTCMonth() + step);
  }
  return out;
}

/** The warning bands: expired (before today), inside the final threshold, inside the first. */
function Bands({ s, now, warnDays }: { s: Scale; now: number; warnDays: number[] }) {
  const first = warnDays[0] ?? 30;
  const final = warnDays.at(-1) ?? 7;
  const xNow = s.x(now);
  const xFinal = s.x(now + final * DAY);
  const xFirst = s.x(now + first * DAY);
  return (
    <>
      <rect className="band-expired" x="0" y="0" width={`${xNow}%`} height="100%" />
      <rect className="band-final" x={`${xNow}%`} y="0" width={`${xFinal - xNow}%`} height="100%" />
      <rect className="band-first" x={`${xFinal}%`} y="0" width={`${Math.max(0, xFirst - xFinal)}%`} height="100%" />
      <line className="today" x1={`${xNow}%`} x2={`${xNow}%`} y1="0" y2="100%" />
    </>
  );
}

const TimelineRow = memo(function TimelineRow({
  c,
  s,
  now,
  warnDays,
  t,
  lang,
}: {
  c: CertificateView;
  s: Scale;
  now: number;
  warnDays: number[];
  t: Strings;
  lang: Language;
}) {
  const openDetail = useCertificatesStore((st) => st.openDetail);
  const a = s.x(Date.parse(c.notBefore));
  const b = s.x(Date.parse(c.notAfter));
  const status = c.status === 'expiring' ? fill(t.status.expiring, { n: c.daysLeft }) : t.status[c.status];
  return (
    <button
      type="button"
      className="timeline-row"
      data-email={c.email}
      onClick={() => void openDetail(c.email)}
      aria-label={fill(t.timeline.row, {
        email: c.email,
        from: formatDate(c.notBefore, lang),
        to: formatDate(c.notAfter, lang),
        status,
      })}
    >
      <span className="timeline-label">{c.email}</span>
      <svg className="timeline-bar" aria-hidden="true" focusable="false">
        <Bands s={s} now={now} warnDays={warnDays} />
        <rect
          className={`bar bar-${c.status}`}
          x={`${a}%`}
          y="6"
          width={`${Math.max(0.3, b - a)}%`}
          height="12"
          rx="3"
        />
      </svg>
    </button>
  );
});

/**
 * Every certificate's validity on one time axis, soonest expiry first, over the warning
 * thresholds drawn as bands; a row opens the certificate's detail. Rows are rendered only where
 * they are seen, as the table's are.
 */
export function ExpiryTimeline({ rows }: { rows: CertificateView[] }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const warnDays = useAppStore((s) => s.boot?.settings.warnDays ?? [30, 7]);
  const now = useMemo(() => Date.now(), []);
  const ordered = useMemo(() => [...rows].sort((a, b) => a.notAfter.localeCompare(b.notAfter)), [rows]);
  const s = useMemo(() => {
    const [lo, hi] = span(ordered, now, warnDays[0] ?? 30);
    return scale(lo, hi);
  }, [ordered, now, warnDays]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: ordered.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 12,
    getItemKey: (i) => ordered[i]!.id,
  });
  const first = warnDays[0] ?? 30;
  const final = warnDays.at(-1) ?? 7;
  return (
    <section className="timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <h2 id="timeline-title" className="visually-hidden">
        {t.timeline.title}
      </h2>
      <ul className="timeline-legend" aria-label={t.timeline.legend}>
        <li>
          <span className="swatch band-expired" aria-hidden="true" /> {t.timeline.expired}
        </li>
        <li>
          <span className="swatch band-final" aria-hidden="true" /> {fill(t.timeline.final, { days: final })}
        </li>
        <li>
          <span className="swatch band-first" aria-hidden="true" /> {fill(t.timeline.first, { days: first })}
        </li>
      </ul>
      <div className="timeline-axis">
        <span />
        <svg
          role="img"
          aria-label={fill(t.timeline.axis, {
            from: formatDate(new Date(s.lo).toISOString(), lang),
            to: formatDate(new Date(s.hi).toISOString(), lang),
          })}
        >
          <Bands s={s} now={now} warnDays={warnDays} />
          {ticks(s).map((tick) => (
            <g key={tick}>
              <line className="tick" x1={`${s.x(tick)}%`} x2={`${s.x(tick)}%`} y1="22" y2="30" />
              <text x={`${s.x(tick)}%`} y="16" textAnchor="middle">
                {new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { year: 'numeric', month: 'short' }).format(
                  tick,
                )}
              </text>
            </g>
          ))}
          <text className="today-label" x={`${s.x(now)}%`} y="28" textAnchor="middle">
            {t.timeline.today}
          </text>
        </svg>
      </div>
      <div className="timeline-scroll" ref={scrollRef} data-testid="timeline-scroll">
        <div className="timeline-rows" style={{ height: v.getTotalSize() }}>
          {v.getVirtualItems().map((i) => (
            <div key={i.key} className="timeline-slot" style={{ transform: `translateY(${i.start}px)` }}>
              <TimelineRow c={ordered[i.index]!} s={s} now={now} warnDays={warnDays} t={t} lang={lang} />
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}
