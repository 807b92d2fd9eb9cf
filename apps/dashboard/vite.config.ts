import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Served by the API under /dashboard/; assets get content hashes so they can be cached for a year.
export default defineConfig({
  base: '/dashboard/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, assetsInlineLimit: 0 },
});
