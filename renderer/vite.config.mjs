import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * Pins the page's scripts: each gets an integrity attribute, and the CSP allows exactly
 * those hashes instead of every script of the origin.
 */
function pinScripts() {
  return {
    name: 'smime-admin-pin-scripts',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        if (!ctx.bundle) return html;
        const hashes = [];
        const out = html.replace(
          /<script type="module" crossorigin src="\.\/(assets\/[^"]+\.js)"><\/script>/g,
          (_m, file) => {
            const chunk = ctx.bundle[file];
            if (!chunk || chunk.type !== 'chunk') throw new Error(`pin-scripts: no chunk for ${file}`);
            const hash = `sha384-${createHash('sha384').update(chunk.code).digest('base64')}`;
            hashes.push(`'${hash}'`);
            return `<script type="module" crossorigin integrity="${hash}" src="./${file}"></script>`;
          },
        );
        if (hashes.length === 0) throw new Error('pin-scripts: no script found to pin');
        return out.replace("script-src 'self'", `script-src ${hashes.join(' ')}`);
      },
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), pinScripts()],
  build: {
    outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'chrome120',
    chunkSizeWarningLimit: 1024,
    // no inline scripts or styles: the CSP allows neither
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
