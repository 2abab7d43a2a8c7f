import { defineConfig } from "vite";

// Built assets are served by the hub (signalling/app.py) from signalling/static.
export default defineConfig({
  build: {
    outDir: "../signalling/static",
    emptyOutDir: true,
  },
});
