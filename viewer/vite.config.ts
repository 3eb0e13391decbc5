import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// One static bundle with relative URLs, so the same files work from `open-clio viz` on
// localhost and from any CloudFront prefix.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Vite's module-preload polyfill is an inline-free script, but it is dead weight here.
    modulePreload: { polyfill: false },
  },
});
