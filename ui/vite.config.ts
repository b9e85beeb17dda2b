import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The app embeds ui/dist; nothing is loaded from the network at run time.
export default defineConfig({
  plugins: [preact()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One small bundle: no module preload polyfill (it would need an inline script).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    environment: "happy-dom",
    globals: true,
    include: ["src/**/*.test.tsx", "src/**/*.test.ts"],
  },
});
